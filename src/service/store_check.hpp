// The store's self-check (`jiesu check`): the database's own integrity check, and every case row
// compared with the fold of its events — the invariant the event log promises (DESIGN §3). Used
// after a crash, by the crash test, and by an administrator before a backup.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct StoreCheck {
  std::string integrity;                  // "ok" or the store's complaint
  std::int64_t cases = 0;
  std::int64_t events = 0;
  std::vector<std::int64_t> mismatched;   // cases whose row differs from the fold of their log
  bool ok() const { return integrity == "ok" && mismatched.empty(); }
};

Result<StoreCheck> CheckStore(storage::Database& db);

}  // namespace jiesu::service
