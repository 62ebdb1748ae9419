#include "assess/community_figures.hpp"

#include <algorithm>

namespace jiesu::assess {

void CommunityTally::Proactive(const std::string& unit) {
  if (const domain::Unit* township = units_.TownshipOf(unit)) ++proactive_[township->code];
}

EnterpriseTownship& CommunityTally::Township(const std::string& code) {
  EnterpriseTownship& t = enterprise_[code];
  if (t.code.empty()) {
    const domain::Unit* u = units_.Find(code);
    t.code = code;
    t.name = u ? u->name : code;
  }
  return t;
}

void CommunityTally::EnterpriseRequest(const std::string& township) {
  ++Township(township).requests;
}

void CommunityTally::EnterpriseCallback(const std::string& township,
                                        const domain::CallbackTally& one) {
  Township(township).tally += one;
}

CommunityFigures CommunityTally::Figures(const domain::ScoreWeights& weights) const {
  CommunityFigures f;
  for (const auto& [code, n] : proactive_) {
    const domain::Unit* u = units_.Find(code);
    f.proactive.push_back({code, u ? u->name : code, n});
    f.proactive_total += n;
  }
  std::stable_sort(f.proactive.begin(), f.proactive.end(),
                   [](const ProactiveTownship& a, const ProactiveTownship& b) {
                     return a.cases > b.cases;
                   });
  for (const auto& [code, t] : enterprise_) {
    EnterpriseTownship out = t;
    if (out.tally.valid > 0) out.rates = domain::Score(out.tally, weights);
    f.enterprise_requests += out.requests;
    f.enterprise_tally += out.tally;
    f.enterprise.push_back(std::move(out));
  }
  if (f.enterprise_tally.valid > 0) f.enterprise_rates = domain::Score(f.enterprise_tally, weights);
  return f;
}

}  // namespace jiesu::assess
