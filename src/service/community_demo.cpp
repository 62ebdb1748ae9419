#include "service/community_demo.hpp"

namespace jiesu::service {

using domain::Actor;
using domain::Role;

Result<std::vector<std::pair<std::string, std::string>>> SeedCommunityDemo(App& app) {
  std::vector<std::pair<std::string, std::string>> keys;
  const Actor admin{Role::kAdmin, "", "系统管理员", 0};
  const Actor supervisor{Role::kSupervisor, "", "区接诉即办指挥中心", 0};
  JIESU_ASSIGN_OR_RETURN(auto buildings, app.buildings().List(admin, ""));
  if (!buildings.empty()) return keys;

  // 楼门院: 群芳园社区 (梨园镇), four households, 王芳 the 楼门长, an open proposal.
  JIESU_ASSIGN_OR_RETURN(
      BuildingView b,
      app.buildings().Create(admin, {"110112121013", "群芳园小区3号楼2单元",
                                     "一、爱护楼道环境，不在楼道堆放杂物、停放电动车。\n"
                                     "二、邻里互助，关心独居老人。\n"
                                     "三、垃圾分类投放，按时清运。\n"
                                     "四、楼门事务民主协商，议定事项共同遵守。"}));
  std::vector<std::pair<domain::Resident, std::string>> people;
  for (const auto& [name, room] : std::vector<std::pair<std::string, std::string>>{
           {"王芳", "302"}, {"李建国", "501"}, {"张敏", "201"}, {"刘淑兰", "102"}}) {
    JIESU_ASSIGN_OR_RETURN(NewResident r, app.buildings().AddResident(admin, b.building.id,
                                                                      {name, room}));
    people.emplace_back(r.resident, r.key);
  }
  BuildingEdit lead;
  lead.leader_id = people[0].first.id;
  JIESU_RETURN_IF_ERROR(app.buildings().Edit(admin, b.building.id, lead).status());
  const auto as = [&](std::size_t i) {
    return Actor{Role::kResident, "110112121013", people[i].first.name, people[i].first.key_id};
  };
  JIESU_ASSIGN_OR_RETURN(
      ProposalView p,
      app.buildings().Propose(as(1), b.building.id, "楼道加装扶手",
                              "楼里老人多，刘阿姨上下楼很吃力，建议在一至六层楼道加装扶手，"
                              "费用申请社区公益金，不足部分各户分摊。"));
  const std::int64_t pid = p.proposal.id;
  JIESU_RETURN_IF_ERROR(app.buildings().Vote(as(1), pid, "for").status());
  JIESU_RETURN_IF_ERROR(app.buildings().Vote(as(3), pid, "for").status());
  JIESU_RETURN_IF_ERROR(app.buildings().Vote(as(2), pid, "abstain").status());
  JIESU_RETURN_IF_ERROR(
      app.buildings().Comment(as(3), pid, "谢谢大家，有扶手我就能自己下楼买菜了。").status());
  JIESU_RETURN_IF_ERROR(
      app.buildings().Comment(as(2), pid, "支持，分摊的钱要公示。").status());
  keys.emplace_back("resident (楼门长 王芳, 302)", people[0].second);
  keys.emplace_back("resident (李建国, 501)", people[1].second);

  // 服务包: an enterprise in 梨园镇 with its service manager there, and one request.
  EnterpriseInput e;
  e.name = "北京云帆科技有限公司";
  e.credit_code = "91110112MA01ABCD17";
  e.township = "110112121";
  e.address = "梨园镇云景东路1号";
  e.manager_name = "赵磊";
  e.manager_unit = "110112121";
  JIESU_ASSIGN_OR_RETURN(domain::Enterprise made, app.enterprises().Create(supervisor, e));
  NewCaseInput request;
  request.type = "help";
  request.title = "申报的扶持资金迟迟不拨付";
  request.text = "我们去年申报的中小企业扶持资金已过公示期，至今未拨付，企业资金压力很大，请协调。";
  JIESU_RETURN_IF_ERROR(
      app.enterprises()
          .Request(Actor{Role::kOperator, "", "12345热线 话务员", 0}, made.id, request)
          .status());

  // 征求意见: a draft in three sections, open for a month, with a few opinions.
  ConsultationInput c;
  c.title = "《北京市建筑绿色发展条例（草案）》公开征求意见";
  c.summary = "为推动建筑绿色发展，提升建筑品质，现将条例草案向社会公开征求意见。";
  c.office = "110112D01";
  c.closes = app.clock().Now() + 30 * 86400;
  c.sections = {{"第一章 总则", "第一条 为了推动建筑绿色发展，节约资源，保护环境，制定本条例。"},
                {"第二章 规划与建设", "第十条 新建民用建筑应当执行绿色建筑标准。"},
                {"第三章 既有建筑改造", "第二十条 鼓励对既有建筑实施节能绿色改造。"}};
  JIESU_ASSIGN_OR_RETURN(ConsultationView cv, app.consultations().Create(supervisor, c));
  const Actor citizen{Role::kPublic, "", "市民", 0};
  for (const auto& [section, text] : std::vector<std::pair<int, std::string>>{
           {3, "建议明确既有建筑节能改造的财政补贴标准"},
           {3, "希望明确既有建筑节能改造财政补贴的标准和申请流程"},
           {2, "新建小区应同步建设电动自行车充电设施"},
           {1, "总则应写入鼓励使用绿色建材"}}) {
    JIESU_RETURN_IF_ERROR(
        app.consultations().Opine(citizen, cv.consultation.id, section, text, "").status());
  }
  return keys;
}

}  // namespace jiesu::service
