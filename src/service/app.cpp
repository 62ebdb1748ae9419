#include "service/app.hpp"

#include <filesystem>

namespace jiesu::service {

std::string BesideDatabase(const std::string& db_url, const char* suffix) {
  return (db_url.rfind("sqlite:", 0) == 0 ? db_url.substr(7) : "jiesu") + suffix;
}

Result<std::unique_ptr<App>> App::Open(const Config& config) {
  std::unique_ptr<App> app(new App(config));
  Config& cfg = app->config_;
  if (cfg.data_dir.empty()) cfg.data_dir = DefaultDataDir();
  if (cfg.web_dir.empty()) {  // the built screens (web/dist), else the sources
    std::error_code ec;
    const auto web = std::filesystem::path(cfg.data_dir).parent_path() / "web";
    for (const auto& dir : {web / "dist", web}) {
      if (std::filesystem::exists(dir / "index.html", ec)) {
        cfg.web_dir = dir.string();
        break;
      }
    }
  }
  if (cfg.secret_key_file.empty()) cfg.secret_key_file = BesideDatabase(cfg.db_url, ".key");
  if (cfg.attachments_dir.empty()) cfg.attachments_dir = BesideDatabase(cfg.db_url, ".files");
  JIESU_ASSIGN_OR_RETURN(app->db_, storage::OpenDatabase(cfg.db_url));
  JIESU_ASSIGN_OR_RETURN(app->ref_, LoadReference(*app->db_, cfg.data_dir));
  JIESU_ASSIGN_OR_RETURN(auto vault, ContactVault::Open(cfg.secret_key_file));
  app->vault_ = std::make_unique<ContactVault>(std::move(vault));
  app->classifier_ = std::make_unique<dispatch::CatalogueClassifier>(app->ref_->catalogue);
  if (!cfg.model_file.empty()) JIESU_RETURN_IF_ERROR(app->ReloadModel().status());
  app->gazetteer_ = std::make_unique<dispatch::Gazetteer>(app->ref_->units);
  app->router_ = std::make_unique<dispatch::Router>(app->ref_->units, app->ref_->catalogue,
                                                    *app->classifier_, *app->gazetteer_);
  app->auth_ = std::make_unique<AuthService>(*app->db_, app->ref_, app->clock_);
  app->cases_ = std::make_unique<CaseService>(*app->db_, app->ref_, *app->vault_, *app->router_,
                                              app->config_, app->clock_);
  app->assessments_ =
      std::make_unique<AssessmentService>(*app->db_, app->ref_, app->config_, app->clock_);
  app->inspections_ =
      std::make_unique<InspectionService>(*app->db_, app->ref_, *app->cases_, app->clock_);
  app->enterprises_ =
      std::make_unique<EnterpriseService>(*app->db_, app->ref_, *app->cases_, app->clock_);
  app->reports_ = std::make_unique<ReportService>(*app->db_, app->ref_, app->config_, app->clock_,
                                                  *app->assessments_, *app->inspections_,
                                                  *app->enterprises_);
  app->attachments_ = std::make_unique<AttachmentService>(cfg.attachments_dir, *app->cases_);
  app->transfers_ = std::make_unique<TransferService>(cfg.peers, *app->cases_);
  app->buildings_ = std::make_unique<BuildingService>(*app->db_, app->ref_, *app->auth_,
                                                      *app->cases_, app->clock_);
  app->consultations_ = std::make_unique<ConsultationService>(*app->db_, app->ref_, app->clock_);
  return app;
}

Result<std::shared_ptr<const dispatch::CategoryModel>> App::ReloadModel() {
  if (config_.model_file.empty()) {
    return Status::Conflict("no model file is configured (dispatch.model, --model)");
  }
  auto loaded = dispatch::CategoryModel::Load(config_.model_file);
  if (!loaded.ok()) {
    return Status(loaded.status().code(),
                  "model " + config_.model_file + ": " + loaded.status().message());
  }
  std::shared_ptr<const dispatch::CategoryModel> model = std::move(loaded).value();
  classifier_->SetModel(model);
  return model;
}

}  // namespace jiesu::service
