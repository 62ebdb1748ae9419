// AssessmentService: loads a month's facts from storage and computes the assessment
// (assess/monthly_assessment). Thread-safe.
#pragma once

#include <memory>
#include <set>

#include "assess/monthly_assessment.hpp"
#include "common/clock.hpp"
#include "service/config.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

class AssessmentService {
 public:
  AssessmentService(storage::Database& db, std::shared_ptr<const Reference> ref,
                    const Config& config, const Clock& clock)
      : db_(db), ref_(std::move(ref)), config_(config), clock_(clock) {}

  // `month` is YYYY-MM, `level` township|community|department. InvalidArgument on bad values.
  Result<assess::Assessment> Monthly(const std::string& month, const std::string& level);

 private:
  // The inspection findings among the cases the events reopen, read in a few statements (a
  // city's month reopens thousands of cases).
  Result<std::set<std::int64_t>> ReopenedFindings(
      const std::vector<storage::Database::UnitEvent>& events);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  const Config& config_;
  const Clock& clock_;
};

}  // namespace jiesu::service
