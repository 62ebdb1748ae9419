#include "service/demo_generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/csv.hpp"
#include "common/utf8.hpp"
#include "domain/case.hpp"
#include "domain/case_event.hpp"
#include "domain/category.hpp"
#include "domain/unit.hpp"
#include "domain/workflow.hpp"

namespace jiesu::service {

using namespace jiesu::domain;

namespace {

constexpr std::int64_t kMinute = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = kSecondsPerDay;

// Shares and rates of the simulated district. Beijing's 12345 publishes roughly: over half of the
// requests are 咨询, most answered by the operator at once; among the rest, 属地 (the township)
// handles the larger part.
constexpr double kLocalShare = 0.32;  // 属地 non-consult cases: the stream every township gets
constexpr double kConsultShareOfOthers = 0.81;  // of the rest → ~55 % 咨询 overall
constexpr double kAnsweredAtIntake = 0.80;
constexpr double kEmergencyShare = 0.008;
constexpr double kDuplicateShare = 0.02;
constexpr double kAnonymousShare = 0.10;
constexpr double kObjectionShare = 0.03;
constexpr double kForwardToCommunity = 0.45;  // the township passes a 属地 case on to the 社区/村
constexpr std::size_t kChunk = 500;

// ---------------------------------------------------------------------------------------------
// Randomness. std::mt19937_64's output is fixed by the standard, the std::*_distribution classes'
// is not (libstdc++ and libc++ differ), so every draw below is built from raw 64-bit outputs.

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
std::uint64_t Mix(std::uint64_t a, std::uint64_t b) { return SplitMix(a ^ SplitMix(b)); }
double UnitOf(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// FNV-1a: std::hash<std::string> differs between standard libraries.
std::uint64_t HashText(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n); the modulo bias is far below anything a demo can show.
  std::int64_t Below(std::int64_t n) {
    if (n <= 1) return 0;
    return static_cast<std::int64_t>(engine_() % static_cast<std::uint64_t>(n));
  }
  std::int64_t Between(std::int64_t lo, std::int64_t hi) { return lo + Below(hi - lo + 1); }
  double Unit() { return UnitOf(engine_()); }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(Below(static_cast<std::int64_t>(v.size())))];
  }
  template <typename T, std::size_t N>
  const T& Pick(const std::array<T, N>& v) {
    return v[static_cast<std::size_t>(Below(static_cast<std::int64_t>(N)))];
  }
  std::size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------------
// Fixed vocabulary: callers, roads and company names in Tongzhou style.

constexpr std::array<const char*, 80> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "郝"};
constexpr std::array<const char*, 64> kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "建", "国", "志", "文", "红", "海",
    "春", "梅", "鹏", "辉", "宇", "浩", "欣", "怡", "佳", "晨", "瑞", "凯", "雪", "琳", "淑", "凤",
    "德", "福", "永", "庆", "宏", "亮", "婷", "颖", "博", "天", "振", "爽", "萍", "荣", "东", "嘉"};
constexpr std::array<const char*, 24> kRoads = {
    "新华大街",   "新华西街", "新华北路",   "玉带河东街", "玉带河西街", "九棵树东路",
    "九棵树西路", "通朝大街", "运河东大街", "运河西大街", "梨园北街",   "梨园中街",
    "车站路",     "通惠南路", "万盛南街",   "宋梁路",     "张凤路",     "京塘路",
    "潞苑南大街", "通胡大街", "云景东路",   "土桥中路",   "翠屏西路",   "芙蓉东路"};
constexpr std::array<const char*, 20> kBrands = {
    "鑫源", "恒泰", "鼎盛", "嘉和", "宏远", "顺达", "华安", "瑞丰", "金鼎", "润通",
    "永和", "天成", "京运", "博达", "新元", "德润", "益通", "安居", "通惠", "东方"};

struct Emergency {
  const char* to;
  const char* title;
  const char* text;
};
constexpr std::array<Emergency, 5> kEmergencies = {{
    {"110", "小区内有人持械打架",
     "{place}{building}号楼下有几个人拿着棍子打架，已经有人受伤了，请赶快派人过来。"},
    {"119", "楼道内冒烟有火情",
     "{place}{building}号楼三单元楼道里冒浓烟，好像是电动车着火了，楼上还有老人没下来。"},
    {"120", "老人在家中晕倒", "我家老人在{place}家中突然晕倒叫不醒，呼吸很弱，需要急救车。"},
    {"122", "路口发生交通事故有人受伤",
     "{road}靠近{place}的路口两车相撞，有人受伤躺在地上，路口已经堵死了。"},
    {"119", "楼道里燃气味很大",
     "{place}{building}号楼楼道里燃气味特别大，怀疑漏气，已经让邻居们别开火，请马上来人。"},
}};

constexpr std::array<const char*, 3> kIntakeAnswers = {
    "已根据知识库向来电人解答{category}相关政策，并告知办理渠道和所需材料，来电人表示清楚。",
    "经查询知识库，已告知来电人该事项由{unit}负责，并提供办理地点和咨询电话，来电人表示认可。",
    "已向来电人说明{category}方面的现行规定，建议其通过“京通”小程序或{unit}"
    "窗口办理，来电人表示理解。"};
constexpr std::array<const char*, 3> kUnresolvedReplies = {
    "经核实，{place}"
    "反映的问题涉及历史遗留原因，目前暂不具备解决条件，已向诉求人做好解释说明，后续将持续关注。",
    "经现场核查，该诉求需多个部门协调并纳入年度计划，短期内无法解决，已向诉求人说明情况。",
    "经核实，诉求人的要求超出现行政策规定，无法满足，已做好政策解释工作。"};
constexpr const char* kGenericReply = "经核实，已按相关规定处理完毕，并将处理结果反馈诉求人。";
constexpr std::array<const char*, 4> kExtendReasons = {
    "需协调多个部门联合处置，申请延期办理。", "涉及施工维修，受天气影响无法按期完成，申请延期。",
    "需等待第三方检测鉴定结果，申请延期。", "整改涉及资金审批程序，申请延期办理。"};
constexpr std::array<const char*, 2> kReopenReasons = {
    "回访中诉求人表示问题未解决，要求重新办理。",
    "诉求人对办理结果不满意，反映问题依然存在，退回重办。"};
constexpr std::array<const char*, 2> kSuperviseNotes = {
    "该件已超过办理时限，请承办单位抓紧办理并及时反馈。",
    "超期未办结，请主要负责同志过问，限期反馈。"};

// ---------------------------------------------------------------------------------------------
// Demo texts from data/demo/.

struct Template {
  std::string category;
  CaseType type = CaseType::kConsult;
  std::string title;
  std::string text;
};

struct Texts {
  std::vector<Template> templates;
  std::map<std::string, std::vector<std::string>, std::less<>> answers;  // by category code
};

Result<std::vector<CsvRow>> ReadTable(const std::string& path, const std::vector<std::string>& cols,
                                      std::vector<int>* index) {
  JIESU_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  JIESU_ASSIGN_OR_RETURN(auto rows, ParseCsv(text));
  if (rows.empty()) return Status::Invalid(path + " is empty");
  index->clear();
  for (const std::string& col : cols) {
    const int i = CsvColumn(rows[0], col);
    if (i < 0) return Status::Invalid(path + " has no column '" + col + "'");
    index->push_back(i);
  }
  std::vector<CsvRow> out;
  const int width = *std::max_element(index->begin(), index->end()) + 1;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() == 1 && rows[r][0].empty()) continue;  // blank line
    if (static_cast<int>(rows[r].size()) < width) {
      return Status::Invalid(path + " row " + std::to_string(r + 1) + " has too few fields");
    }
    out.push_back(std::move(rows[r]));
  }
  return out;
}

Result<Texts> LoadTexts(const std::string& data_dir, const Catalogue& catalogue) {
  Texts texts;
  std::vector<int> c;
  const std::string tpl_path = data_dir + "/demo/templates.csv";
  JIESU_ASSIGN_OR_RETURN(auto rows, ReadTable(tpl_path, {"category", "type", "title", "text"}, &c));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    // A site that trimmed its catalogue simply loses the templates of the removed categories.
    const Category* cat = catalogue.Find(row[c[0]]);
    if (cat == nullptr) continue;
    auto type = ParseCaseType(row[c[1]]);
    if (!type.ok()) {
      return Status::Invalid(tpl_path + " row " + std::to_string(r + 2) + ": " +
                             type.status().message());
    }
    texts.templates.push_back({cat->code, *type, row[c[2]], row[c[3]]});
  }
  if (texts.templates.empty()) {
    return Status::Invalid(tpl_path + " has no template for a category of the catalogue");
  }
  JIESU_ASSIGN_OR_RETURN(auto answers,
                         ReadTable(data_dir + "/demo/answers.csv", {"category", "text"}, &c));
  for (const CsvRow& row : answers) texts.answers[row[c[0]]].push_back(row[c[1]]);
  return texts;
}

// The values a template's placeholders take for one case.
struct Fill {
  std::string township;
  std::string place;
  std::string road;
  std::string building;
  std::string days;
  std::string brand;
  std::string category;  // code: picks the company's trade word
  std::string category_name;
  std::string unit_name;
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// {company} is a bare brand when the template supplies the trade itself ("{company}幼儿园",
// "配餐公司{company}"); otherwise the brand gets the trade of the case's category.
std::string CompanyName(std::string_view before, std::string_view after, const Fill& f) {
  for (std::string_view trade :
       {"幼儿园", "培训", "健身", "超市", "养老院", "律师", "公司", "物业"}) {
    if (StartsWith(after, trade)) return f.brand;
  }
  if (EndsWith(before, "公司")) return f.brand;
  static const std::map<std::string, std::string, std::less<>> kTrades = {
      {"0101", "物业公司"}, {"0104", "热力公司"}, {"0107", "燃气公司"}, {"0119", "房产中介"},
      {"0120", "置业公司"}, {"0204", "化工厂"},   {"0702", "家居店"},   {"0703", "商场"},
      {"0705", "旅行社"},   {"1002", "农业公司"}, {"1201", "科技公司"}, {"1203", "投资公司"},
      {"1301", "宽带公司"}, {"1502", "建筑公司"}};
  const auto it = kTrades.find(f.category);
  return f.brand + (it == kTrades.end() ? std::string("公司") : it->second);
}

std::string Expand(std::string_view tpl, const Fill& f) {
  std::string out;
  out.reserve(tpl.size() + 32);
  std::size_t i = 0;
  while (i < tpl.size()) {
    const std::size_t open = tpl.find('{', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = tpl.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(tpl.substr(i, open - i));
    const std::string_view key = tpl.substr(open + 1, close - open - 1);
    if (key == "township") {
      out += f.township;
    } else if (key == "place") {
      out += f.place;
    } else if (key == "road") {
      out += f.road;
    } else if (key == "building") {
      out += f.building;
    } else if (key == "days") {
      out += f.days;
    } else if (key == "company") {
      out += CompanyName(tpl.substr(0, open), tpl.substr(close + 1), f);
    } else if (key == "category") {
      out += f.category_name;
    } else if (key == "unit") {
      out += f.unit_name;
    } else {
      out.append(tpl.substr(open, close - open + 1));  // not ours: leave it visible
    }
    i = close + 1;
  }
  out.append(tpl.substr(std::min(i, tpl.size())));
  return out;
}

// How people name a community or village: 宋庄村委会 → 宋庄村, 尹家河村村委会 → 尹家河村.
std::string PlaceName(const Unit& u) {
  std::string name = u.short_name;
  if (EndsWith(name, "村委会")) {
    name.resize(name.size() - std::string_view("村委会").size());
    if (!EndsWith(name, "村")) name += "村";
  }
  return name;
}

bool Mentions(std::string_view text, std::string_view key) {
  return text.find(key) != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Time.

Date AddMonths(Date first, int n) {
  const int index = first.year * 12 + (first.month - 1) + n;
  return Date{index / 12, index % 12 + 1, 1};
}

int BeijingHour(Timestamp t) {
  return static_cast<int>((t - BeijingMidnight(BeijingDate(t))) / kHour);
}

// Calls to 12345 by hour of the day: a morning and an afternoon peak, few at night.
constexpr std::array<double, 24> kHourProfile = {1, 1,  1,  1,  1,  2, 4, 7, 10, 12, 12, 10,
                                                 8, 10, 11, 11, 10, 8, 7, 6, 5,  4,  3,  2};

// Draws arrival moments in [from, to) following the hour profile, quieter on rest days.
class SlotSampler {
 public:
  SlotSampler(Timestamp from, Timestamp to, const HolidayCalendar& calendar) {
    for (Timestamp s = from; s < to; s += kHour) {
      const Timestamp e = std::min(s + kHour, to);
      const Date d = BeijingDate(s);
      const double w = kHourProfile[static_cast<std::size_t>(BeijingHour(s))] *
                       (calendar.IsWorkday(d) ? 1.0 : 0.75) * static_cast<double>(e - s) / kHour;
      total_ += w;
      slots_.push_back({s, e, total_});
    }
  }
  Timestamp Draw(Rng& rng) const {
    const double x = rng.Unit() * total_;
    auto it = std::upper_bound(slots_.begin(), slots_.end(), x,
                               [](double v, const Slot& s) { return v < s.cumulative; });
    if (it == slots_.end()) it = std::prev(slots_.end());
    return it->start + rng.Below(it->end - it->start);
  }

 private:
  struct Slot {
    Timestamp start;
    Timestamp end;
    double cumulative;
  };
  std::vector<Slot> slots_;
  double total_ = 0;
};

// Splits `total` between weights, largest remainders first (ties by position).
std::vector<int> Apportion(int total, const std::vector<double>& weights) {
  std::vector<int> out(weights.size(), 0);
  double sum = 0;
  for (double w : weights) sum += w;
  if (total <= 0 || sum <= 0) return out;
  std::vector<std::pair<double, std::size_t>> rest;
  int given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = total * weights[i] / sum;
    out[i] = static_cast<int>(std::floor(exact));
    given += out[i];
    rest.push_back({exact - out[i], i});
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < total && k < rest.size(); ++k, ++given) ++out[rest[k].second];
  return out;
}

// ---------------------------------------------------------------------------------------------
// The simulated district.

struct Township {
  const Unit* unit = nullptr;
  std::vector<const Unit*> urban;  // 社区
  std::vector<const Unit*> rural;  // 村
  double weight = 0;
};

struct Arrival {
  Timestamp at = 0;
  int order = 0;  // tie-break, keeps the sort deterministic
  int township = 0;
  bool local = false;   // a 属地 non-consult case: the stream every township gets
  bool simple = false;  // plain lifecycle with a valid callback (the quiet township's few cases)
};

struct Content {
  Timestamp at = 0;
  int township = 0;
  const Unit* place = nullptr;  // community or village, null when the township has none
  std::string category;         // empty for emergencies (never classified)
  CaseType type = CaseType::kConsult;
  CaseSource source = CaseSource::kHotline;
  Urgency urgency = Urgency::kNormal;
  std::string title, text, address;
  bool anonymous = false;
  bool has_contact = false;
  bool simple = false;
  bool emergency = false;
  std::string transfer_to;
  int duplicate_of = -1;  // index of the case this one repeats
  Fill fill;
};

struct Sim {
  Content content;
  std::vector<CaseEvent> events;
  Case state;
  std::optional<std::string> sealed;
  std::int64_t id = 0;  // known once written
};

// The cases simulated so far, by their index in arrival order; only the most recent ones are
// held (a duplicate repeats one of the last 80), so that millions of cases fit in memory.
class SimWindow {
 public:
  std::size_t size() const { return base_ + held_.size(); }
  const Sim& operator[](std::size_t i) const { return held_[i - base_]; }
  Sim& operator[](std::size_t i) { return held_[i - base_]; }
  void push_back(Sim sim) { held_.push_back(std::move(sim)); }
  // Forgets all but the last `keep` cases.
  void Trim(std::size_t keep) {
    for (; held_.size() > keep; ++base_) held_.pop_front();
  }

 private:
  std::size_t base_ = 0;
  std::deque<Sim> held_;
};

// Folds the events of a case up to `at`: what an operator would see at that moment.
Case FoldUntil(const std::vector<CaseEvent>& events, Timestamp at) {
  Case c;
  for (const CaseEvent& e : events) {
    if (e.at > at) break;
    Apply(c, e);
  }
  return c;
}

// When people act: the hotline answers round the clock, handlers and callers keep long days,
// supervisors office hours.
struct Hours {
  int from = 0;
  int to = 24;
};
constexpr Hours kAllDay{0, 24};
constexpr Hours kHandlerHours{7, 23};
constexpr Hours kReplyHours{8, 21};
constexpr Hours kCallHours{9, 20};
constexpr Hours kOfficeHours{8, 18};

// Moves `t` into [from, to) o'clock of its Beijing day, or of the next day; the jitter comes from
// `t` itself so that no random draw is spent.
Timestamp InHours(Timestamp t, Hours h) {
  const int hour = BeijingHour(t);
  if (hour >= h.from && hour < h.to) return t;
  Timestamp day = BeijingMidnight(BeijingDate(t));
  if (hour >= h.to) day += kDay;
  return day + h.from * kHour +
         static_cast<Timestamp>(SplitMix(static_cast<std::uint64_t>(t)) % (90 * 60));
}

// Runs one case forward through the real workflow. A step whose moment lies after `now` stops the
// case there, which is how current cases end up waiting at every stage.
class Run {
 public:
  Run(Sim& sim, DecideContext ctx, Timestamp now) : sim_(sim), ctx_(ctx), now_(now) {}

  const Case& c() const { return sim_.state; }
  Timestamp last() const { return sim_.events.back().at; }
  const Status& status() const { return status_; }
  void SetMergeTarget(const Case* target) { ctx_.merge_target = target; }

  bool Do(const Command& cmd, const Actor& actor, Timestamp at, Hours hours = kAllDay) {
    if (!status_.ok() || stopped_) return false;
    at = InHours(std::max(at, last() + kMinute), hours);
    if (at > now_) {
      stopped_ = true;
      return false;
    }
    ctx_.now = at;
    auto events = Decide(sim_.state, cmd, actor, ctx_);
    if (!events.ok()) {
      // The generator asked for something the workflow refuses: a bug here, not bad input.
      status_ = Status::Internal(std::string("demo generator: ") + ActionName(cmd.action) +
                                 " refused: " + events.status().message());
      return false;
    }
    for (CaseEvent& e : *events) {
      Apply(sim_.state, e);
      sim_.events.push_back(std::move(e));
    }
    return true;
  }

 private:
  Sim& sim_;
  DecideContext ctx_;
  Timestamp now_;
  bool stopped_ = false;
  Status status_;
};

Command Cmd(Action a) {
  Command c;
  c.action = a;
  return c;
}

// The simulated district: its townships with their communities, departments, each unit's quality
// and the pools of templates. Arrivals() says when and where cases come in, MakeContent() what they
// say, Create() writes the created event, Live() plays the rest. Single-threaded.
class World {
 public:
  World(const Reference& ref, const Texts& texts, const DemoOptions& opt, Timestamp now)
      : ref_(ref), texts_(texts), opt_(opt), now_(now) {}

  Status Init();
  std::vector<Arrival> Arrivals();
  Content MakeContent(const Arrival& a, Rng& rng, const SimWindow& sims) const;
  void Create(Sim& sim, Rng& rng, const ContactVault& vault) const;
  void Live(Run& run, Rng& rng, const Content& k, const SimWindow& sims);

  Date first_month() const { return start_; }
  DecideContext Context() const {
    DecideContext ctx;
    ctx.catalogue = &ref_.catalogue;
    ctx.calendar = &ref_.calendar;
    ctx.units = &ref_.units;
    return ctx;
  }

 private:
  bool Round(Run& run, Rng& rng, const Content& k, int round);
  double Quality(const std::string& unit, Timestamp t) const;
  double Even(const std::string& unit, int stream);
  std::string ObjectionTarget(const Case& c, const Content& k, Rng& rng) const;
  std::string ShortName(const std::string& code) const {
    const Unit* u = ref_.units.Find(code);
    return u ? u->short_name : code;
  }
  std::size_t PickTemplate(Rng& rng, bool local, std::optional<CaseType> type) const;
  CaseType PickProblemType(Rng& rng) const;
  const Unit* PickPlace(const Township& t, const std::string& category, Rng& rng) const;
  std::string Answer(const Content& k, bool resolved, Rng& rng) const;

  Actor Operator(Rng& rng) const {
    return {Role::kOperator, root_, "话务员" + std::to_string(1001 + rng.Below(36)), 0};
  }
  Actor Handler(const std::string& unit) const {
    return {Role::kHandler, unit, ShortName(unit) + "接诉专员", 0};
  }
  Actor Supervisor() const { return {Role::kSupervisor, root_, "区接诉即办督办员", 0}; }

  const Reference& ref_;
  const Texts& texts_;
  const DemoOptions& opt_;
  Timestamp now_;
  Date start_;
  std::string root_;
  std::string district_;
  std::vector<Township> townships_;
  std::vector<const Unit*> departments_;
  std::map<std::string, double, std::less<>> quality_;       // base quality by unit code
  std::map<std::string, std::uint64_t, std::less<>> draws_;  // Even() position by unit#stream
  // Template indices: non-consult 属地 / department ones by type, and all consults.
  std::array<std::vector<std::size_t>, 5> local_by_type_, dept_by_type_;
  std::vector<std::size_t> local_all_, dept_all_, consults_;
};

Status World::Init() {
  root_ = ref_.units.Root().code;
  district_ = ref_.units.Root().short_name;
  std::map<std::string, std::size_t> index;
  auto towns = ref_.units.ByLevel(UnitLevel::kTownship);
  std::sort(towns.begin(), towns.end(), [](auto* a, auto* b) { return a->code < b->code; });
  for (const Unit* u : towns) {
    index[u->code] = townships_.size();
    townships_.push_back({u, {}, {}, 0});
  }
  if (townships_.empty()) return Status::Invalid("the unit tree has no township-level unit");
  auto communities = ref_.units.ByLevel(UnitLevel::kCommunity);
  std::sort(communities.begin(), communities.end(),
            [](auto* a, auto* b) { return a->code < b->code; });
  for (const Unit* u : communities) {
    const Unit* t = ref_.units.TownshipOf(u->code);
    if (t == nullptr) continue;
    Township& town = townships_[index.at(t->code)];
    // A 虚拟社区 is a statistical placeholder nobody lives in.
    if (Mentions(u->short_name, "虚拟")) continue;
    (EndsWith(PlaceName(*u), "村") ? town.rural : town.urban).push_back(u);
  }
  departments_ = ref_.units.ByLevel(UnitLevel::kDepartment);
  std::sort(departments_.begin(), departments_.end(),
            [](auto* a, auto* b) { return a->code < b->code; });

  // Volume follows the number of 社区/村, with a base so that a one-community 街道 still counts.
  for (Township& t : townships_)
    t.weight = static_cast<double>(t.urban.size() + t.rural.size()) + 8;

  // Each township's quality is a distinct step on an even ladder, shuffled by the seed, so the
  // ranking spreads from the high 70s to the high 90s instead of bunching in the middle.
  Rng rng(Mix(opt_.seed, 0x7175616c));
  std::vector<std::size_t> ladder(townships_.size());
  for (std::size_t i = 0; i < ladder.size(); ++i) ladder[i] = i;
  for (std::size_t i = ladder.size(); i > 1; --i) {
    std::swap(ladder[i - 1],
              ladder[static_cast<std::size_t>(rng.Below(static_cast<std::int64_t>(i)))]);
  }
  for (std::size_t i = 0; i < townships_.size(); ++i) {
    const double q =
        0.15 + 0.85 * (static_cast<double>(ladder[i]) + 0.5) / static_cast<double>(ladder.size());
    quality_[townships_[i].unit->code] = q;
    for (const auto* list : {&townships_[i].urban, &townships_[i].rural}) {
      for (const Unit* u : *list)
        quality_[u->code] = std::clamp(q + (rng.Unit() - 0.5) * 0.12, 0.0, 1.0);
    }
  }
  for (const Unit* d : departments_) quality_[d->code] = 0.35 + 0.6 * rng.Unit();

  for (std::size_t i = 0; i < texts_.templates.size(); ++i) {
    const Template& t = texts_.templates[i];
    if (t.type == CaseType::kConsult) {
      consults_.push_back(i);
      continue;
    }
    const bool local = ref_.catalogue.Find(t.category)->handling == Handling::kTownship;
    (local ? local_by_type_ : dept_by_type_)[static_cast<std::size_t>(t.type)].push_back(i);
    (local ? local_all_ : dept_all_).push_back(i);
  }
  if (local_all_.empty() && dept_all_.empty()) {
    return Status::Invalid("demo/templates.csv has no template other than 咨询");
  }
  return Status::Ok();
}

double World::Quality(const std::string& unit, Timestamp t) const {
  const auto it = quality_.find(unit);
  const double base = it == quality_.end() ? 0.6 : it->second;
  // A unit has better and worse months: the ranking moves a little from month to month.
  const Date d = BeijingDate(t);
  const std::uint64_t month = static_cast<std::uint64_t>(d.year * 12 + d.month);
  const double jitter = (UnitOf(Mix(opt_.seed ^ HashText(unit), month)) - 0.5) * 0.10;
  return std::clamp(base + jitter, 0.0, 1.0);
}

// Callback outcomes use, per unit, an additive golden-ratio sequence rather than independent
// draws: over the dozen or so callbacks a township has in a month its rates then follow its quality
// closely, so the ranking shows the units' differences rather than the dice.
double World::Even(const std::string& unit, int stream) {
  // Communities share their township's sequence: each alone has too few callbacks to even out.
  const Unit* town = ref_.units.TownshipOf(unit);
  const std::string key = (town ? town->code : unit) + "#" + std::to_string(stream);
  const double offset = UnitOf(Mix(opt_.seed, HashText(key)));
  const double x = offset + static_cast<double>(draws_[key]++) * 0.6180339887498949;
  return x - std::floor(x);
}

std::vector<Arrival> World::Arrivals() {
  Rng rng(Mix(opt_.seed, 0x6172726976));
  const Date today = BeijingDate(now_);
  start_ = AddMonths(Date{today.year, today.month, 1}, -opt_.months);
  const std::size_t n = townships_.size();
  std::vector<Arrival> out;
  int order = 0;
  for (int k = 0; k <= opt_.months; ++k) {
    const Timestamp from = BeijingMidnight(AddMonths(start_, k));
    const Timestamp full_end = BeijingMidnight(AddMonths(start_, k + 1));
    const Timestamp to = std::min(full_end, now_);
    if (to <= from) continue;
    const double elapsed = static_cast<double>(to - from) / static_cast<double>(full_end - from);
    const SlotSampler slots(from, to, ref_.calendar);
    const int total =
        static_cast<int>(std::llround(opt_.cases_per_month * (0.92 + 0.16 * rng.Unit()) * elapsed));
    const int local_total = static_cast<int>(std::llround(total * kLocalShare));
    std::vector<double> noisy(n);
    for (std::size_t t = 0; t < n; ++t) noisy[t] = townships_[t].weight * (0.75 + 0.5 * rng.Unit());
    // Every township gets a few 属地 cases each month, the rest follows its size.
    const int floor_each =
        std::min(static_cast<int>(std::llround(3 * elapsed)), local_total / static_cast<int>(n));
    const std::vector<int> local = Apportion(local_total - floor_each * static_cast<int>(n), noisy);
    for (std::size_t t = 0; t < n; ++t) {
      for (int i = 0; i < floor_each + local[t]; ++i) {
        out.push_back({slots.Draw(rng), order++, static_cast<int>(t), true, false});
      }
    }
    for (int i = local_total; i < total; ++i) {
      const int t = static_cast<int>(rng.Weighted(noisy));
      out.push_back({slots.Draw(rng), order++, t, false, false});
    }
  }

  // One small township goes quiet for the last full month (and the weeks before, whose cases
  // would be called back in it) apart from two cases: its month is ranked but flagged 样本不足,
  // and all its communities show as zero-request units.
  if (opt_.months >= 1) {
    std::vector<int> small;
    for (std::size_t t = 0; t < n; ++t) {
      const std::size_t size = townships_[t].urban.size() + townships_[t].rural.size();
      if (size >= 5 && size <= 15) small.push_back(static_cast<int>(t));
    }
    if (small.empty()) small.push_back(0);
    const int quiet = rng.Pick(small);
    const Date month = AddMonths(start_, opt_.months - 1);
    const Timestamp from = BeijingMidnight(month), to = BeijingMidnight(AddMonths(month, 1));
    std::erase_if(out, [&](const Arrival& a) {
      return a.township == quiet && a.at >= from - 14 * kDay && a.at < to;
    });
    for (int day : {2, 6}) {
      out.push_back(
          {from + day * kDay + 10 * kHour + rng.Below(kHour), order++, quiet, true, true});
    }
  }
  std::sort(out.begin(), out.end(), [](const Arrival& a, const Arrival& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  return out;
}

CaseType World::PickProblemType(Rng& rng) const {
  // 求助 : 投诉 : 举报 : 建议 among the non-consult cases.
  static const std::vector<double> kWeights = {12, 20, 6, 7};
  static constexpr CaseType kTypes[] = {CaseType::kHelp, CaseType::kComplaint, CaseType::kReport,
                                        CaseType::kSuggestion};
  return kTypes[rng.Weighted(kWeights)];
}

std::size_t World::PickTemplate(Rng& rng, bool local, std::optional<CaseType> type) const {
  if (!type)
    return consults_.empty() ? rng.Pick(local_all_.empty() ? dept_all_ : local_all_)
                             : rng.Pick(consults_);
  const auto& by_type = local ? local_by_type_ : dept_by_type_;
  const auto& all = local ? local_all_ : dept_all_;
  const auto& pool = by_type[static_cast<std::size_t>(*type)];
  if (!pool.empty()) return rng.Pick(pool);
  if (!all.empty()) return rng.Pick(all);
  return rng.Pick(local ? dept_all_ : local_all_);
}

const Unit* World::PickPlace(const Township& t, const std::string& category, Rng& rng) const {
  // 农村农业 and 征地 happen in villages, 物业 and 老旧小区 in urban communities.
  const bool rural = StartsWith(category, "10") || category == "1103";
  const bool urban = category == "0101" || category == "0121" || category == "0118";
  if (rural && !t.rural.empty()) return rng.Pick(t.rural);
  if (urban && !t.urban.empty()) return rng.Pick(t.urban);
  const std::size_t all = t.urban.size() + t.rural.size();
  if (all == 0) return nullptr;
  const auto i = static_cast<std::size_t>(rng.Below(static_cast<std::int64_t>(all)));
  return i < t.urban.size() ? t.urban[i] : t.rural[i - t.urban.size()];
}

Content World::MakeContent(const Arrival& a, Rng& rng, const SimWindow& sims) const {
  // A second caller about the same problem shortly after the first: merged as a duplicate.
  if (!a.simple && rng.Chance(kDuplicateShare)) {
    for (std::size_t j = sims.size(); j-- > 0 && sims.size() - j <= 80;) {
      const Content& s = sims[j].content;
      if (s.at < a.at - 48 * kHour) break;
      if (s.township != a.township || s.emergency || s.duplicate_of >= 0 ||
          s.type == CaseType::kConsult) {
        continue;
      }
      Content d = s;
      d.at = a.at;
      d.simple = false;
      d.duplicate_of = static_cast<int>(j);
      d.source = CaseSource::kHotline;
      d.anonymous = false;
      d.has_contact = true;
      d.urgency = Urgency::kNormal;
      return d;
    }
  }

  Content k;
  k.at = a.at;
  k.township = a.township;
  k.simple = a.simple;
  const Township& town = townships_[static_cast<std::size_t>(a.township)];
  Fill& f = k.fill;
  f.township = town.unit->short_name;
  f.road = rng.Pick(kRoads);
  f.building = std::to_string(rng.Between(1, 28));
  f.days = std::to_string(rng.Between(2, 5));
  f.brand = rng.Pick(kBrands);

  std::string title_tpl, text_tpl;
  if (!a.local && !a.simple && rng.Chance(kEmergencyShare)) {
    const Emergency& em = rng.Pick(kEmergencies);
    k.emergency = true;
    k.transfer_to = em.to;
    k.type = CaseType::kHelp;
    k.urgency = Urgency::kEmergency;
    title_tpl = em.title;
    text_tpl = em.text;
  } else {
    std::optional<CaseType> type;
    if (a.local || !rng.Chance(kConsultShareOfOthers)) type = PickProblemType(rng);
    const Template& t = texts_.templates[PickTemplate(rng, a.local || a.simple, type)];
    k.category = t.category;
    k.type = t.type;
    title_tpl = t.title;
    text_tpl = t.text;
    const Category* cat = ref_.catalogue.Find(t.category);
    f.category = cat->code;
    f.category_name = cat->name;
    if (k.type != CaseType::kConsult) {
      const bool utility = k.category == "0104" || k.category == "0105" || k.category == "0106" ||
                           k.category == "0107" || k.category == "0110";
      if (!a.simple && rng.Chance(utility ? 0.15 : 0.02)) k.urgency = Urgency::kUrgent;
    }
  }
  k.place = PickPlace(town, k.category, rng);
  // A township without a real community (文景街道 has only a 虚拟社区) gets an invented estate.
  f.place = k.place ? PlaceName(*k.place) : f.brand + "家园";
  k.title = Expand(title_tpl, f);
  k.text = Expand(text_tpl, f);
  const std::string both = title_tpl + text_tpl;
  k.address = district_ + f.township;
  if (Mentions(both, "{road}") && !Mentions(both, "{place}")) {
    k.address += f.road + "（" + f.place + "附近）";
  } else {
    k.address += f.place;
    if (Mentions(both, "{building}")) k.address += f.building + "号楼";
  }

  // Where the case came from: mostly the phone line; grid patrols and 主动治理 find problems in
  // public space and have no caller to call back.
  if (!a.simple && !k.emergency) {
    const double u = rng.Unit();
    const bool patrol = a.local && (k.type == CaseType::kComplaint || k.type == CaseType::kReport);
    if (u < 0.74) {
      k.source = CaseSource::kHotline;
    } else if (u < 0.86) {
      k.source = CaseSource::kWeb;
    } else if (u < 0.94) {
      k.source = patrol ? CaseSource::kGrid : CaseSource::kHotline;
    } else if (u < 0.97) {
      k.source = patrol ? CaseSource::kProactive : CaseSource::kWeb;
    } else {
      k.source = CaseSource::kOpen311;
    }
  }
  const bool person = k.source != CaseSource::kGrid && k.source != CaseSource::kProactive;
  k.anonymous = person && !a.simple && !k.emergency && rng.Chance(kAnonymousShare);
  k.has_contact = person && !k.anonymous;
  return k;
}

void World::Create(Sim& sim, Rng& rng, const ContactVault& vault) const {
  const Content& k = sim.content;
  CaseEvent e;
  e.case_id = 0;  // the store assigns ids
  e.seq = 1;
  e.at = k.at;
  e.kind = EventKind::kCreated;
  switch (k.source) {
    case CaseSource::kWeb:
    case CaseSource::kOpen311:
      e.actor_role = Role::kPublic;
      e.actor_name = "市民";
      break;
    case CaseSource::kGrid:
      e.actor_role = Role::kHandler;
      e.actor_unit =
          k.place ? k.place->code : townships_[static_cast<std::size_t>(k.township)].unit->code;
      e.actor_name = "网格员";
      break;
    case CaseSource::kProactive:
    case CaseSource::kInspection:
      e.actor_role = Role::kSupervisor;
      e.actor_unit = root_;
      e.actor_name = "主动治理专班";
      break;
    case CaseSource::kHotline: {
      const Actor op = Operator(rng);
      e.actor_role = op.role;
      e.actor_unit = op.unit;
      e.actor_name = op.name;
      break;
    }
  }
  e.payload = {{"type", CaseTypeName(k.type)},
               {"source", CaseSourceName(k.source)},
               {"urgency", UrgencyName(k.urgency)},
               {"title", k.title},
               {"text", k.text},
               {"address", k.address},
               {"anonymous", k.anonymous},
               {"has_contact", k.has_contact}};
  if (!k.category.empty()) e.payload["category"] = k.category;
  Apply(sim.state, e);
  sim.events.push_back(std::move(e));
  if (k.has_contact) {
    std::string name = rng.Pick(kSurnames);
    name += rng.Pick(kGivenChars);
    if (rng.Chance(0.7)) name += rng.Pick(kGivenChars);
    std::string phone = "1" + std::to_string(rng.Between(3, 9));
    for (int i = 0; i < 9; ++i) phone += static_cast<char>('0' + rng.Below(10));
    sim.sealed = vault.Seal(Contact{name, phone, ""});
  }
}

std::string World::Answer(const Content& k, bool resolved, Rng& rng) const {
  if (!resolved) return Expand(rng.Pick(kUnresolvedReplies), k.fill);
  // The category's own replies, else its 大类's.
  for (const std::string& code : {k.category, k.category.substr(0, 2)}) {
    const auto it = texts_.answers.find(code);
    if (it != texts_.answers.end() && !it->second.empty())
      return Expand(rng.Pick(it->second), k.fill);
  }
  return kGenericReply;
}

std::string World::ObjectionTarget(const Case& c, const Content& k, Rng& rng) const {
  const Unit* unit = ref_.units.Find(c.unit);
  std::string target;
  if (unit != nullptr && unit->level == UnitLevel::kDepartment) {
    // A department says it is a 属地 matter.
    target = townships_[static_cast<std::size_t>(k.township)].unit->code;
  } else {
    // The township says it belongs to a department: the 大类's, or one of the usual suspects.
    const Category* top = ref_.catalogue.TopLevel(c.category);
    if (top != nullptr && top->handling == Handling::kDepartment) {
      target = top->department;
    } else {
      std::vector<std::string> usual;
      for (const char* code : {"110112D03", "110112D14", "110112D01", "110112D02"}) {
        if (ref_.units.Find(code) != nullptr) usual.push_back(code);
      }
      if (!usual.empty()) {
        target = rng.Pick(usual);
      } else if (!departments_.empty()) {
        target = rng.Pick(departments_)->code;
      }
    }
  }
  return target == c.unit ? std::string() : target;
}

void World::Live(Run& run, Rng& rng, const Content& k, const SimWindow& sims) {
  const Timestamp t0 = k.at;
  if (k.emergency) {
    Command cmd = Cmd(Action::kTransfer);
    cmd.to = k.transfer_to;
    run.Do(cmd, Operator(rng), t0 + rng.Between(2, 8) * kMinute);
    return;
  }
  if (k.duplicate_of >= 0) {
    const Timestamp at = t0 + rng.Between(5, 40) * kMinute;
    if (at > now_) return;  // still in the operator's queue
    const Sim& first = sims[static_cast<std::size_t>(k.duplicate_of)];
    Case target = FoldUntil(first.events, at);
    target.id = first.id;
    // When the first case is already closed this one is a fresh request on the same problem.
    if (!IsTerminal(target.status)) {
      Command cmd = Cmd(Action::kMerge);
      cmd.into = first.id;
      run.SetMergeTarget(&target);
      run.Do(cmd, Operator(rng), at);
      run.SetMergeTarget(nullptr);
      return;
    }
  }
  const Category* cat = ref_.catalogue.Find(k.category);
  const std::string unit = cat->handling == Handling::kTownship
                               ? townships_[static_cast<std::size_t>(k.township)].unit->code
                               : cat->department;
  if (k.type == CaseType::kConsult && rng.Chance(kAnsweredAtIntake)) {
    Fill f = k.fill;
    f.unit_name = ShortName(unit);
    Command cmd = Cmd(Action::kAnswer);
    cmd.text = Expand(rng.Pick(kIntakeAnswers), f);
    run.Do(cmd, Operator(rng), t0 + rng.Between(3, 25) * kMinute);
    return;
  }

  // Dispatch: night calls mostly wait for the morning shift; a few day cases wait for a
  // supervisor's look; the router dispatches about a third on its own.
  Timestamp at;
  const int hour = BeijingHour(t0);
  if ((hour >= 22 || hour < 7) && rng.Chance(0.7)) {
    at = BeijingMidnight(BeijingDate(t0)) + 7 * kHour + 30 * kMinute + rng.Below(90) * kMinute;
    if (hour >= 22) at += kDay;
  } else {
    const double u = rng.Unit();
    at = t0 + (u < 0.55   ? rng.Between(3, 30)
               : u < 0.85 ? rng.Between(30, 180)
                          : rng.Between(180, 600)) *
                  kMinute;
  }
  Command dispatch = Cmd(Action::kDispatch);
  dispatch.unit = unit;
  dispatch.category = k.category;
  Actor who = Operator(rng);
  if (!k.simple && rng.Chance(0.35)) {
    dispatch.automatic = true;
    dispatch.confidence = static_cast<double>(80 + rng.Below(19)) / 100.0;
    who = Actor{Role::kSystem, "", "智能派单", 0};
  }
  if (!run.Do(dispatch, who, at)) return;
  if (cat->handling == Handling::kTownship && k.place != nullptr &&
      rng.Chance(kForwardToCommunity)) {
    // 街乡镇 pass many 属地 cases on to the 社区/村 that has to act (街乡吹哨、部门报到).
    Command forward = Cmd(Action::kDispatch);
    forward.unit = k.place->code;
    forward.category = k.category;
    const Actor desk{Role::kOperator, unit, ShortName(unit) + "接诉即办分中心", 0};
    if (!run.Do(forward, desk, run.last() + rng.Between(15, 150) * kMinute, kReplyHours)) {
      return;
    }
  }
  for (int round = 0; round < 3; ++round) {
    if (!Round(run, rng, k, round)) return;
  }
}

// One pass from dispatch to close; true when the case was reopened and goes round again.
bool World::Round(Run& run, Rng& rng, const Content& k, int round) {
  const Case& c = run.c();
  if (round == 0 && !k.simple && rng.Chance(kObjectionShare)) {
    const std::string target = ObjectionTarget(c, k, rng);
    if (!target.empty()) {
      Command object = Cmd(Action::kObject);
      object.reason = "经核实，该诉求不属于本单位职责范围，建议改派" + ShortName(target) + "办理。";
      if (!run.Do(object, Handler(c.unit), run.last() + rng.Between(10, 80) * kMinute,
                  kHandlerHours)) {
        return false;
      }
      Command review = Cmd(Action::kReviewObjection);
      review.uphold = rng.Chance(0.6);
      if (*review.uphold) review.unit = target;
      if (!run.Do(review, Supervisor(), run.last() + rng.Between(60, 18 * 60) * kMinute,
                  kOfficeHours)) {
        return false;
      }
    }
  }

  double q = Quality(c.unit, run.last());
  if (c.status == CaseStatus::kDispatched) {  // a rejected objection may leave it accepted
    const Timestamp from = run.last();
    Timestamp at;
    if (!k.simple && rng.Chance(0.02 + 0.12 * (1 - q))) {
      at = *c.response_due + rng.Between(10, 20 * 60) * kMinute;
    } else {
      const double span = static_cast<double>(*c.response_due - from - 5 * kMinute);
      at = from + 3 * kMinute + (span > 0 ? static_cast<Timestamp>(span * rng.Unit()) : 0);
    }
    if (!run.Do(Cmd(Action::kAccept), Handler(c.unit), at, kHandlerHours)) return false;
  }

  const Category* cat = ref_.catalogue.Find(c.category);
  const bool long_limit = cat != nullptr && cat->limit.kind == LimitKind::kWorkdays;
  if (!k.simple && c.due && *c.due - run.last() > 2 * kHour &&
      rng.Chance(long_limit ? 0.12 : 0.04)) {
    Command extend = Cmd(Action::kExtend);
    extend.reason = rng.Pick(kExtendReasons);
    extend.until = *c.due + rng.Between(3, 10) * kDay;
    const double share = 0.3 + 0.4 * rng.Unit();
    const Timestamp at =
        run.last() + static_cast<Timestamp>(static_cast<double>(*c.due - run.last()) * share);
    if (!run.Do(extend, Handler(c.unit), at, kReplyHours)) return false;
  }

  const Timestamp due = *c.due;
  const bool late = !k.simple && rng.Chance(0.02 + 0.15 * (1 - q));
  Timestamp reply_at;
  if (late) {
    reply_at = due + rng.Between(2 * 60, 5 * 24 * 60) * kMinute;
  } else {
    // Most units reply well before the deadline, a few at the last moment.
    const double span = static_cast<double>(due - run.last() - 20 * kMinute);
    const double u = rng.Unit();
    reply_at = run.last() + 30 * kMinute + (span > 0 ? static_cast<Timestamp>(span * u * u) : 0);
    reply_at = std::min(reply_at, std::max(due - kMinute, run.last() + kMinute));
  }
  if (late && rng.Chance(0.6)) {
    const Timestamp at = due + rng.Between(2 * 60, 20 * 60) * kMinute;
    if (at + 10 * kMinute < reply_at) {
      Command supervise = Cmd(Action::kSupervise);
      supervise.note = rng.Pick(kSuperviseNotes);
      if (!run.Do(supervise, Supervisor(), at, kOfficeHours)) return false;
    }
  }
  const bool claim = rng.Chance(0.93 + 0.06 * q) || k.simple;
  Command reply = Cmd(Action::kReply);
  reply.resolved = claim;
  reply.text = Answer(k, claim, rng);
  if (!run.Do(reply, Handler(c.unit), reply_at, kReplyHours)) return false;

  if (!c.has_contact || c.anonymous) {  // nobody to call back
    run.Do(Cmd(Action::kClose), Operator(rng), run.last() + rng.Between(60, 24 * 60) * kMinute,
           kCallHours);
    return false;
  }
  Timestamp at = run.last() + rng.Between(2 * 60, 30 * 60) * kMinute;
  if (!k.simple && rng.Chance(0.08)) {
    Command unreachable = Cmd(Action::kCallback);
    unreachable.reachable = false;
    if (!run.Do(unreachable, Operator(rng), at, kCallHours)) return false;
    at = run.last() + rng.Between(20 * 60, 28 * 60) * kMinute;
    if (rng.Chance(0.35)) {  // twice unreachable: closed without a valid callback
      if (!run.Do(unreachable, Operator(rng), at, kCallHours)) return false;
      run.Do(Cmd(Action::kClose), Operator(rng), run.last() + rng.Between(60, 360) * kMinute,
             kCallHours);
      return false;
    }
  }
  q = Quality(c.unit, at);
  Command callback = Cmd(Action::kCallback);
  callback.reachable = true;
  callback.contacted = Even(c.unit, 0) < 0.90 + 0.09 * q;
  // The quiet township's two cases go well: a 样本不足 flag next to a score of 10 would only
  // puzzle the reader.
  const bool resolved = Even(c.unit, 1) < (claim ? 0.82 + 0.17 * q : 0.15) || k.simple;
  callback.resolved = resolved;
  const double u = Even(c.unit, 2);
  if (resolved) {
    callback.satisfaction = u < 0.72 + 0.25 * q ? Satisfaction::kSatisfied
                            : u < 0.98          ? Satisfaction::kBasicallySatisfied
                                                : Satisfaction::kDissatisfied;
  } else {
    callback.satisfaction = u < 0.05              ? Satisfaction::kSatisfied
                            : u < 0.30 + 0.25 * q ? Satisfaction::kBasicallySatisfied
                                                  : Satisfaction::kDissatisfied;
  }
  if (!run.Do(callback, Operator(rng), at, kCallHours)) return false;
  if (!k.simple && !resolved && round < 2 && rng.Chance(round == 0 ? 0.5 : 0.2)) {
    Command reopen = Cmd(Action::kReopen);
    reopen.reason = rng.Pick(kReopenReasons);
    return run.Do(reopen, Supervisor(), run.last() + rng.Between(60, 20 * 60) * kMinute,
                  kOfficeHours);
  }
  run.Do(Cmd(Action::kClose), Operator(rng), run.last() + rng.Between(10, 360) * kMinute,
         kCallHours);
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Inspection rounds (巡察): a round over four townships in the first month, its 回头看 two months
// later, and a round over three other townships in the last full month. Findings go through
// the real workflow: dispatched with a 60-day rectification deadline, accepted, replied, verified
// by the inspector (about one in eight refused the first time); a few rectified findings are
// reopened by the 回头看.

constexpr std::array<const char*, 16> kFindings = {
    "“三重一大”事项未经党工委会集体研究决策，会议记录不完整",
    "接诉即办工单回复内容与实际办理情况不符，存在“答非所问”现象",
    "社区居务公开不及时，公开栏内容未按季度更新",
    "专项资金使用台账不健全，部分支出缺少审批手续",
    "村级财务报销票据不规范，存在白条入账",
    "党员发展程序记录缺失，入党积极分子培养考察材料不全",
    "老旧小区综合整治项目监管不到位，施工质量问题整改不及时",
    "违法建设整治台账底数不清，拆违进度与上报数据不一致",
    "垃圾分类桶前值守不到位，指导员在岗率偏低",
    "安全生产隐患排查流于形式，整改闭环记录缺失",
    "民生诉求回访不到位，部分工单未联系诉求人即办结",
    "“吹哨报到”机制运行不畅，部门报到后问题长期未解决",
    "物业服务监管缺位，小区物业费收支未向业主公开",
    "基层党组织“三会一课”制度落实不严格，学习记录雷同",
    "社区办公用房出租收入未纳入集体账户统一管理",
    "网格员队伍管理松散，巡查上报数量与实际不符"};

Status GenerateInspections(storage::Database& db, const Reference& ref, const DemoOptions& opt,
                           Date first_month, const DecideContext& ctx, DemoStats& stats) {
  Rng rng(Mix(opt.seed, 0x58756368ULL));  // its own stream: cases are unaffected
  std::vector<const Unit*> townships = ref.units.ByLevel(UnitLevel::kTownship);
  if (townships.size() < 7) return Status::Ok();  // a tree too small for the demo rounds
  for (std::size_t i = townships.size() - 1; i > 0; --i) {
    std::swap(townships[i], townships[static_cast<std::size_t>(rng.Below(static_cast<std::int64_t>(i) + 1))]);
  }
  const Actor inspector{Role::kInspector, "", "区委第一巡察组", 0};
  const Actor second{Role::kInspector, "", "区委第二巡察组", 0};
  const auto names = [&](std::size_t from, std::size_t n) {
    std::string out;
    for (std::size_t i = from; i < from + n; ++i) {
      out += (i > from ? "、" : "") + townships[i]->short_name;
    }
    return out;
  };
  const auto codes = [&](std::size_t from, std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < from + n; ++i) out.push_back(townships[i]->code);
    return out;
  };

  struct Plan {
    Inspection round;
    Actor by;
    int findings_per_unit = 0;
  };
  std::vector<Plan> plans;
  const Timestamp first = BeijingMidnight(first_month) + 3 * kDay + 9 * kHour;
  Plan a{{}, inspector, 0};
  a.round.name = "区委第一巡察组对" + names(0, 4) + "党工委的巡察";
  a.round.units = codes(0, 4);
  a.round.starts = first;
  a.round.ends = first + 30 * kDay;
  a.findings_per_unit = 45;
  plans.push_back(a);
  Plan b{{}, inspector, 3};
  b.round.name = "区委第一巡察组对" + names(0, 4) + "党工委的巡察“回头看”";
  b.round.units = codes(0, 4);
  b.round.starts = first + 60 * kDay;
  b.round.ends = b.round.starts + 14 * kDay;
  plans.push_back(b);
  Date last_full = BeijingDate(opt.now);
  last_full.day = 1;
  last_full.month -= 1;
  if (last_full.month < 1) {
    last_full.month = 12;
    last_full.year -= 1;
  }
  Plan c{{}, second, 40};
  c.round.name = "区委第二巡察组对" + names(4, 3) + "党工委的巡察";
  c.round.units = codes(4, 3);
  c.round.starts = std::max(BeijingMidnight(last_full) + 5 * kDay + 9 * kHour, first + 40 * kDay);
  c.round.ends = c.round.starts + 30 * kDay;
  plans.push_back(c);

  std::vector<Sim> sims;
  std::vector<std::int64_t> first_round_findings;  // indices into sims of round A's findings
  for (std::size_t p = 0; p < plans.size(); ++p) {
    Plan& plan = plans[p];
    if (plan.round.starts >= opt.now) continue;
    if (plan.round.ends && *plan.round.ends > opt.now) plan.round.ends.reset();  // still running
    plan.round.created_at = plan.round.starts;
    plan.round.created_by = plan.by.name;
    if (p == 1) plan.round.revisit_of = {plans[0].round.id};
    JIESU_ASSIGN_OR_RETURN(plan.round.id, db.InsertInspection(plan.round));
    for (const std::string& org : plan.round.units) {
      const auto communities = ref.units.Children(org);
      const int n = plan.findings_per_unit + static_cast<int>(rng.Between(-8, 8));
      for (int k = 0; k < std::max(n, 1); ++k) {
        Sim sim;
        const std::string unit = !communities.empty() && rng.Chance(0.3)
                                     ? rng.Pick(communities)->code
                                     : org;
        CaseEvent e;
        e.seq = 1;
        e.at = plan.round.starts + rng.Between(1, 25) * kDay + rng.Between(0, 8) * kHour;
        e.kind = EventKind::kCreated;
        e.actor_role = Role::kInspector;
        e.actor_name = plan.by.name;
        const std::string text = rng.Pick(kFindings);
        e.payload = {{"type", "report"}, {"source", "inspection"}, {"urgency", "normal"},
                     {"title", std::string(Utf8Prefix(text, 30))}, {"text", text},
                     {"address", ""}, {"anonymous", false}, {"has_contact", false},
                     {"inspection_id", plan.round.id}};
        if (e.at >= opt.now) continue;
        Apply(sim.state, e);
        sim.events.push_back(e);
        Run run(sim, ctx, opt.now);
        Command d = Cmd(Action::kDispatch);
        d.unit = unit;
        d.due = e.at + 60 * kDay;
        const Actor system{Role::kSystem, "", "jiesu", 0};
        const Actor handler{Role::kHandler, unit, "整改联络员", 0};
        run.Do(d, system, e.at);
        run.Do(Cmd(Action::kAccept), handler, e.at + rng.Between(1, 3) * kDay, kHandlerHours);
        Command reply = Cmd(Action::kReply);
        reply.text = "已制定整改方案并完成整改，相关制度和台账已补齐。";
        const Timestamp replied = e.at + rng.Between(15, 70) * kDay;
        run.Do(reply, handler, replied, kReplyHours);
        Command verify = Cmd(Action::kVerify);
        verify.rectified = !rng.Chance(0.12);
        if (!*verify.rectified) verify.note = "整改材料不完整，需补充佐证材料";
        run.Do(verify, plan.by, replied + rng.Between(2, 10) * kDay, kOfficeHours);
        if (!*verify.rectified) {
          run.Do(reply, handler, run.last() + rng.Between(7, 20) * kDay, kReplyHours);
          verify.rectified = true;
          verify.note.clear();
          run.Do(verify, plan.by, run.last() + rng.Between(2, 7) * kDay, kOfficeHours);
        }
        // The 回头看 finds a few rectified problems back again.
        if (p == 0 && plans[1].round.starts < opt.now &&
            run.c().rectified_at && *run.c().rectified_at < plans[1].round.starts &&
            rng.Chance(0.06)) {
          Command reopen = Cmd(Action::kReopen);
          reopen.reason = "巡察“回头看”发现问题反弹";
          if (run.Do(reopen, plans[1].by, plans[1].round.starts + rng.Between(1, 10) * kDay,
                     kOfficeHours)) {
            run.Do(Cmd(Action::kAccept), handler, run.last() + kDay, kHandlerHours);
            run.Do(reply, handler, run.last() + rng.Between(10, 40) * kDay, kReplyHours);
            verify.rectified = true;
            run.Do(verify, plans[1].by, run.last() + rng.Between(2, 7) * kDay, kOfficeHours);
          }
        }
        JIESU_RETURN_IF_ERROR(run.status());
        sims.push_back(std::move(sim));
      }
    }
  }
  std::vector<storage::NewCase> batch;
  for (const Sim& sim : sims) {
    batch.push_back({sim.events, std::nullopt, std::nullopt});
    stats.events += static_cast<int>(sim.events.size());
  }
  stats.findings = static_cast<int>(batch.size());
  if (!batch.empty()) JIESU_RETURN_IF_ERROR(db.CreateCases(std::move(batch)).status());
  return Status::Ok();
}

Result<DemoStats> GenerateDemo(storage::Database& db, const Reference& ref,
                               const ContactVault& vault, const DemoOptions& opt) {
  DemoOptions options = opt;
  if (options.now == 0) options.now = SystemClock().Now();
  if (options.months < 0 || options.months > kMaxDemoMonths) {
    return Status::Invalid("months must be 0.." + std::to_string(kMaxDemoMonths));
  }
  if (options.total_cases > 0) {
    // The full months, and the part of this month that has passed.
    const Date today = BeijingDate(options.now);
    const Date first{today.year, today.month, 1};
    const double elapsed = static_cast<double>(options.now - BeijingMidnight(first)) /
                           static_cast<double>(BeijingMidnight(AddMonths(first, 1)) -
                                               BeijingMidnight(first));
    options.cases_per_month = static_cast<int>(std::min<double>(
        std::llround(static_cast<double>(options.total_cases) / (options.months + elapsed)),
        kMaxDemoCasesPerMonth + 1));
  }
  if (options.cases_per_month < 1 || options.cases_per_month > kMaxDemoCasesPerMonth) {
    return Status::Invalid("cases per month must be 1.." + std::to_string(kMaxDemoCasesPerMonth));
  }
  JIESU_ASSIGN_OR_RETURN(std::int64_t existing, db.CountCases());
  if (existing > 0) {
    return Status::Conflict("the database already has " + std::to_string(existing) +
                            " cases; demo data goes only into an empty database");
  }
  JIESU_ASSIGN_OR_RETURN(Texts texts, LoadTexts(opt.data_dir, ref.catalogue));
  World world(ref, texts, options, options.now);
  JIESU_RETURN_IF_ERROR(world.Init());
  const std::vector<Arrival> arrivals = world.Arrivals();

  DemoStats stats;
  stats.first_month = FormatMonth(world.first_month());
  const Date today = BeijingDate(options.now);
  stats.last_month = FormatMonth(Date{today.year, today.month, 1});

  SimWindow sims;
  std::vector<std::size_t> pending;
  const auto flush = [&]() -> Status {
    if (pending.empty()) return Status::Ok();
    std::vector<storage::NewCase> batch;
    batch.reserve(pending.size());
    for (std::size_t i : pending) batch.push_back({sims[i].events, sims[i].sealed, std::nullopt});
    JIESU_ASSIGN_OR_RETURN(auto created, db.CreateCases(std::move(batch)));
    if (created.size() != pending.size()) {
      return Status::Internal("the store created " + std::to_string(created.size()) +
                              " cases out of " + std::to_string(pending.size()));
    }
    for (std::size_t k = 0; k < pending.size(); ++k) sims[pending[k]].id = created[k].id;
    pending.clear();
    sims.Trim(kChunk);
    return Status::Ok();
  };

  const DecideContext ctx = world.Context();
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    // One stream per case: a change in one case's story leaves the others as they were.
    Rng rng(Mix(options.seed, i + 1));
    Sim sim;
    sim.content = world.MakeContent(arrivals[i], rng, sims);
    // A merge names the first case by id, which only the store hands out.
    if (sim.content.duplicate_of >= 0 &&
        sims[static_cast<std::size_t>(sim.content.duplicate_of)].id == 0) {
      JIESU_RETURN_IF_ERROR(flush());
    }
    world.Create(sim, rng, vault);
    Run run(sim, ctx, options.now);
    world.Live(run, rng, sim.content, sims);
    JIESU_RETURN_IF_ERROR(run.status());
    if (++stats.cases % 500000 == 0) {
      spdlog::info("demo: {} of {} cases written", stats.cases, arrivals.size());
    }
    stats.events += static_cast<int>(sim.events.size());
    for (const CaseEvent& e : sim.events) {
      if (e.kind == EventKind::kCallback && e.payload.value("reachable", false)) ++stats.callbacks;
    }
    sims.push_back(std::move(sim));
    pending.push_back(i);
    if (pending.size() >= kChunk) JIESU_RETURN_IF_ERROR(flush());
  }
  JIESU_RETURN_IF_ERROR(flush());
  JIESU_RETURN_IF_ERROR(
      GenerateInspections(db, ref, options, world.first_month(), ctx, stats));
  return stats;
}

}  // namespace jiesu::service
