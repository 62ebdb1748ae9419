// `jiesu import --db URL FILE.csv [--model FILE]`: a jiesu case export (service/case_export.hpp),
// or the replay of real messages with their official replies (service/replay_import.hpp); the
// header tells which.
#include <iostream>

#include "cli/commands.hpp"
#include "common/csv.hpp"
#include "service/app.hpp"
#include "service/case_export.hpp"
#include "service/replay_import.hpp"

namespace jiesu::cli {

namespace {
struct ImportOptions {
  std::string db = "sqlite:jiesu.db";
  std::string file;
  std::string model;
};
}  // namespace

void AddImport(CLI::App& cli, int* exit_code) {
  auto opts = std::make_shared<ImportOptions>();
  CLI::App* cmd = cli.add_subcommand(
      "import",
      "Import a case export (jiesu export), or real messages with their replies "
      "(id,title,text,time,reply,reply_time)");
  cmd->add_option("--db", opts->db, "Database URL")->required();
  cmd->add_option("file", opts->file, "CSV file")->required();
  cmd->add_option("--model", opts->model, "Category model for dispatch (jiesu model train)");
  cmd->callback([opts, exit_code] {
    auto text = ReadFile(opts->file);
    if (!text.ok()) {
      std::cerr << "jiesu: " << text.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    service::Config config;
    config.db_url = opts->db;
    config.model_file = opts->model;
    auto app = service::App::Open(config);
    if (!app.ok()) {
      std::cerr << "jiesu: " << app.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto rows = ParseCsv(*text);
    if (rows.ok() && !rows->empty() && service::IsCaseExport(rows->front())) {
      auto cases = service::ImportCases((*app)->db(), *text);
      if (!cases.ok()) {
        std::cerr << "jiesu: import: " << cases.status().message() << "\n";
        *exit_code = 1;
        return;
      }
      std::cout << "import: " << cases->cases << " cases, " << cases->events << " events\n";
      return;
    }
    auto stats = service::ImportReplied((*app)->db(), (*app)->reference(), (*app)->router(), *text);
    if (!stats.ok()) {
      std::cerr << "jiesu: import: " << stats.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << "import: " << stats->cases << " cases, " << stats->events << " events";
    if (stats->cases > 0) std::cout << ", " << stats->first_month << " to " << stats->last_month;
    for (const auto& [reason, n] : stats->skipped) {
      std::cout << "; skipped " << n << " (" << reason << ")";
    }
    std::cout << "\n";
  });
}

}  // namespace jiesu::cli
