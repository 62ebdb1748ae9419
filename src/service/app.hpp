// App: everything a running jiesu needs, wired once from the Config — the database, reference
// data, the contact vault, the router and the services. Owned by main (through cli/); the HTTP
// server and the CLI commands borrow it. Thread-safe to share after Open().
#pragma once

#include <memory>

#include "common/clock.hpp"
#include "dispatch/catalogue_classifier.hpp"
#include "dispatch/gazetteer.hpp"
#include "dispatch/router.hpp"
#include "service/attachment_service.hpp"
#include "service/assessment_service.hpp"
#include "service/auth_service.hpp"
#include "service/building_service.hpp"
#include "service/case_service.hpp"
#include "service/config.hpp"
#include "service/consultation_service.hpp"
#include "service/contact_vault.hpp"
#include "service/enterprise_service.hpp"
#include "service/inspection_service.hpp"
#include "service/reference.hpp"
#include "service/report_service.hpp"
#include "service/transfer_service.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

// The default path of a file that lives beside the database (the key file ".key", attachments
// ".files"): the SQLite path plus `suffix`, or "jiesu" plus `suffix` for other databases.
std::string BesideDatabase(const std::string& db_url, const char* suffix);

class App {
 public:
  // Opens the database (migrating it), loads or seeds reference data and the secret key.
  static Result<std::unique_ptr<App>> Open(const Config& config);

  const Config& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  storage::Database& db() { return *db_; }
  const Reference& reference() const { return *ref_; }
  const ContactVault& vault() const { return *vault_; }
  AuthService& auth() { return *auth_; }
  CaseService& cases() { return *cases_; }
  AssessmentService& assessments() { return *assessments_; }
  ReportService& reports() { return *reports_; }
  InspectionService& inspections() { return *inspections_; }
  AttachmentService& attachments() { return *attachments_; }
  TransferService& transfers() { return *transfers_; }
  BuildingService& buildings() { return *buildings_; }
  EnterpriseService& enterprises() { return *enterprises_; }
  ConsultationService& consultations() { return *consultations_; }
  const dispatch::CatalogueClassifier& classifier() const { return *classifier_; }
  const dispatch::Router& router() const { return *router_; }

  // Reads the configured model file again and swaps it in; cases being created meanwhile use the
  // old or the new model, never a mix. Conflict when no model file is configured; the
  // errors of CategoryModel::Load otherwise (the current model stays).
  Result<std::shared_ptr<const dispatch::CategoryModel>> ReloadModel();

 private:
  explicit App(Config config) : config_(std::move(config)) {}

  Config config_;
  SystemClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::shared_ptr<const Reference> ref_;
  std::unique_ptr<ContactVault> vault_;
  std::unique_ptr<dispatch::CatalogueClassifier> classifier_;
  std::unique_ptr<dispatch::Gazetteer> gazetteer_;
  std::unique_ptr<dispatch::Router> router_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<CaseService> cases_;
  std::unique_ptr<AssessmentService> assessments_;
  std::unique_ptr<InspectionService> inspections_;
  std::unique_ptr<ReportService> reports_;
  std::unique_ptr<AttachmentService> attachments_;
  std::unique_ptr<TransferService> transfers_;
  std::unique_ptr<BuildingService> buildings_;
  std::unique_ptr<EnterpriseService> enterprises_;
  std::unique_ptr<ConsultationService> consultations_;
};

}  // namespace jiesu::service
