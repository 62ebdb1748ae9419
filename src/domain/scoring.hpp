// The 综合考核 score (DESIGN §3): rates over the valid callbacks of a unit in a month and the
// weighted score. Weights are configuration. Pure, thread-safe.
#pragma once

namespace jiesu::domain {

struct ScoreWeights {
  double response = 0.10;
  double resolution = 0.50;
  double satisfaction = 0.40;
  double basically_satisfied = 0.9;  // how much a 基本满意 counts towards 满意率
  int min_samples = 5;               // fewer valid callbacks: ranked but flagged 样本不足
};

// Counts over valid (reachable) callbacks.
struct CallbackTally {
  int valid = 0;
  int contacted = 0;
  int resolved = 0;
  int satisfied = 0;
  int basically_satisfied = 0;
  int dissatisfied = 0;

  CallbackTally& operator+=(const CallbackTally& o) {
    valid += o.valid;
    contacted += o.contacted;
    resolved += o.resolved;
    satisfied += o.satisfied;
    basically_satisfied += o.basically_satisfied;
    dissatisfied += o.dissatisfied;
    return *this;
  }
};

struct Rates {
  double response = 0;      // 响应率, [0,1]
  double resolution = 0;    // 解决率, [0,1]
  double satisfaction = 0;  // 满意率, [0,1]
  double score = 0;         // 综合成绩, [0,100]
};

// Rates for a tally with at least one valid callback (asserted: a zero-request unit has no score).
Rates Score(const CallbackTally& t, const ScoreWeights& w);

}  // namespace jiesu::domain
