// An inspection round (巡察, DESIGN §3 "Inspection round"): an inspection group examines a set of
// organisations (units) over a period and records findings, each a case with source `inspection`,
// the round's id and a rectification deadline (整改时限). A 回头看 round revisits earlier rounds:
// it answers for their findings against the organisations it revisits, and may add its own.
// Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace jiesu::domain {

struct Inspection {
  std::int64_t id = 0;
  std::string name;                       // 区委第三巡察组对中仓街道党工委的巡察
  std::vector<std::string> units;         // the inspected organisations, unit codes
  Timestamp starts = 0;
  std::optional<Timestamp> ends;
  std::vector<std::int64_t> revisit_of;   // earlier rounds this 回头看 revisits; empty otherwise
  Timestamp created_at = 0;
  std::string created_by;                 // the actor's name

  bool IsRevisit() const { return !revisit_of.empty(); }
};

}  // namespace jiesu::domain
