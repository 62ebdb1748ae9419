// 主动治理 and 企业服务包 in the monthly review (docs/community.md): per township, the proactive
// cases dispatched in the month (building deliberation's agreed items among them), and the
// enterprise requests (企业诉求) dispatched in the month with 响应率 / 解决率 / 满意率 over their
// valid callbacks recorded in it, counted for the enterprise's township. Pure; not thread-safe
// while tallying.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/scoring.hpp"
#include "domain/unit.hpp"

namespace jiesu::assess {

struct ProactiveTownship {
  std::string code;
  std::string name;
  int cases = 0;
};

struct EnterpriseTownship {
  std::string code;
  std::string name;
  int requests = 0;                     // dispatched in the month
  domain::CallbackTally tally;          // valid callbacks recorded in the month
  std::optional<domain::Rates> rates;   // none without a valid callback
};

struct CommunityFigures {
  std::vector<ProactiveTownship> proactive;  // most cases first, then by code
  int proactive_total = 0;
  std::vector<EnterpriseTownship> enterprise;  // by code
  int enterprise_requests = 0;
  domain::CallbackTally enterprise_tally;
  std::optional<domain::Rates> enterprise_rates;
};

class CommunityTally {
 public:
  explicit CommunityTally(const domain::UnitTree& units) : units_(units) {}
  // A proactive case dispatched in the month to `unit` (any level; counted for its township,
  // ignored without one).
  void Proactive(const std::string& unit);
  // An enterprise request of an enterprise in `township`, dispatched in the month.
  void EnterpriseRequest(const std::string& township);
  // A valid callback recorded in the month on an enterprise request of an enterprise in
  // `township` (`one`: that callback's counts).
  void EnterpriseCallback(const std::string& township, const domain::CallbackTally& one);
  CommunityFigures Figures(const domain::ScoreWeights& weights) const;

 private:
  const domain::UnitTree& units_;
  std::map<std::string, int> proactive_;
  std::map<std::string, EnterpriseTownship> enterprise_;
  EnterpriseTownship& Township(const std::string& code);
};

}  // namespace jiesu::assess
