// ReportService: the monthly review report (点评, assess/review_report). Loads the month's per-case
// facts from storage, takes the month's and the previous month's township assessments from
// AssessmentService, the inspection rounds' figures from InspectionService and the enterprises'
// townships from EnterpriseService, and builds the report. Thread-safe (holds no mutable state).
#pragma once

#include <memory>
#include <string>

#include "assess/review_report.hpp"
#include "common/clock.hpp"
#include "service/assessment_service.hpp"
#include "service/config.hpp"
#include "service/enterprise_service.hpp"
#include "service/inspection_service.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

class ReportService {
 public:
  ReportService(storage::Database& db, std::shared_ptr<const Reference> ref, const Config& config,
                const Clock& clock, AssessmentService& assessments, InspectionService& inspections,
                EnterpriseService& enterprises)
      : db_(db),
        ref_(std::move(ref)),
        config_(config),
        clock_(clock),
        assessments_(assessments),
        inspections_(inspections),
        enterprises_(enterprises) {}

  // The review of `month` (YYYY-MM) over township-level units. InvalidArgument on a bad month;
  // Internal on a storage error or a corrupt callback event.
  Result<assess::ReviewReport> Monthly(const std::string& month);

 private:
  // The township of each enterprise request among `cases` (case id → township code), from the
  // cases' enterprise and the registry (only those cases are read whole).
  Result<std::map<std::int64_t, std::string>> EnterpriseTownships(
      const std::vector<std::int64_t>& cases);

  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  const Config& config_;
  const Clock& clock_;
  AssessmentService& assessments_;
  InspectionService& inspections_;
  EnterpriseService& enterprises_;
};

}  // namespace jiesu::service
