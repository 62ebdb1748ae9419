// Demo data (`jiesu demo`): fills an empty database with realistic, deterministic cases over the
// real Tongzhou units, so that queues, the monthly assessment and the review have something to
// show. Every case is produced by simulating its lifecycle through domain::Decide on a simulated
// clock, so demo cases obey exactly the rules real ones do. Texts come from data/demo/ (case
// templates and reply texts); callers, places, timings and each unit's performance are drawn from
// the seed.
//
// Same seed, same `now`, same reference data → the same case rows and events (sealed contacts
// differ: secretbox nonces are random by design). Stateless; the function is thread-safe as long
// as nobody else writes cases meanwhile.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "service/contact_vault.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

inline constexpr int kMaxDemoMonths = 60;
inline constexpr int kMaxDemoCasesPerMonth = 1000000;

struct DemoOptions {
  int months = 3;  // full calendar months before the month of `now` (0..kMaxDemoMonths)
  std::uint64_t seed = 12345;
  Timestamp now = 0;           // 0: the system clock
  int cases_per_month = 1500;  // volume of a full month (1..kMaxDemoCasesPerMonth), ±8 % noise
  // When > 0: about this many cases in all, spread evenly over the months (sets cases_per_month).
  std::int64_t total_cases = 0;
  std::string data_dir = DefaultDataDir();  // holds demo/templates.csv and demo/answers.csv
};

struct DemoStats {
  int cases = 0;
  int events = 0;
  int callbacks = 0;                    // valid (reachable) callbacks recorded
  int findings = 0;                     // inspection findings (not in `cases`)
  std::string first_month, last_month;  // "YYYY-MM"
};

// Fills the database with `months` full calendar months before the month of `now`, plus the
// current month up to `now` (cases at every stage). No event is later than `now`. Fails with
// Conflict if the database already has cases, InvalidArgument for out-of-range options or
// unusable demo texts, NotFound when data_dir/demo/*.csv is missing, and with the database's error
// when a write fails (cases written before the failure stay).
Result<DemoStats> GenerateDemo(storage::Database& db, const Reference& ref,
                               const ContactVault& vault, const DemoOptions& opt);

}  // namespace jiesu::service
