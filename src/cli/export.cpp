// `jiesu export --db URL --month YYYY-MM --format csv|xlsx [--lang zh|en] [--bom] [--out FILE]`:
// a month's cases (service/case_export.hpp). CSV goes to standard output without --out.
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "service/app.hpp"
#include "service/case_export.hpp"

namespace jiesu::cli {

namespace {
struct ExportCliOptions {
  std::string db = "sqlite:jiesu.db";
  std::string month;
  std::string format = "csv";
  std::string lang = "zh";
  bool bom = false;
  std::string out;
};
}  // namespace

void AddExport(CLI::App& cli, int* exit_code) {
  auto opts = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = cli.add_subcommand("export", "Export a month's cases with their event logs");
  cmd->add_option("--db", opts->db, "Database URL")->required();
  cmd->add_option("--month", opts->month, "YYYY-MM (cases created in that month)")->required();
  cmd->add_option("--format", opts->format, "csv | xlsx")
      ->check(CLI::IsMember({"csv", "xlsx"}));
  cmd->add_option("--lang", opts->lang, "zh | en: headers and values")
      ->check(CLI::IsMember({"zh", "en"}));
  cmd->add_flag("--bom", opts->bom, "Start the CSV with a UTF-8 BOM (for Excel)");
  cmd->add_option("--out", opts->out, "Output file (required for xlsx; default stdout)");
  cmd->callback([opts, exit_code] {
    if (opts->format == "xlsx" && opts->out.empty()) {
      std::cerr << "jiesu: export --format xlsx needs --out FILE\n";
      *exit_code = 2;
      return;
    }
    service::Config config;
    config.db_url = opts->db;
    auto app = service::App::Open(config);
    if (!app.ok()) {
      std::cerr << "jiesu: " << app.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    service::ExportOptions o{opts->month, opts->format, opts->lang == "en", opts->bom};
    auto bytes = service::ExportCases((*app)->db(), (*app)->reference(), o,
                                      (*app)->clock().Now());
    if (!bytes.ok()) {
      std::cerr << "jiesu: export: " << bytes.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    if (opts->out.empty()) {
      std::cout << *bytes;
      return;
    }
    std::ofstream out(opts->out, std::ios::binary);
    out << *bytes;
    out.close();
    if (!out) {
      std::cerr << "jiesu: cannot write " << opts->out << "\n";
      *exit_code = 1;
    }
  });
}

}  // namespace jiesu::cli
