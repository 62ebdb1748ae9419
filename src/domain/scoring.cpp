#include "domain/scoring.hpp"

#include "common/assert.hpp"

namespace jiesu::domain {

Rates Score(const CallbackTally& t, const ScoreWeights& w) {
  JIESU_ASSERT(t.valid > 0);
  const double n = t.valid;
  Rates r;
  r.response = t.contacted / n;
  r.resolution = t.resolved / n;
  r.satisfaction = (t.satisfied + w.basically_satisfied * t.basically_satisfied) / n;
  r.score = 100.0 * (w.response * r.response + w.resolution * r.resolution +
                     w.satisfaction * r.satisfaction);
  return r;
}

}  // namespace jiesu::domain
