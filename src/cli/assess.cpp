#include <fstream>
#include <iostream>

#include "assess/monthly_assessment.hpp"
#include "assess/render_html.hpp"
#include "assess/render_markdown.hpp"
#include "assess/render_xlsx.hpp"
#include "assess/review_report.hpp"
#include "cli/commands.hpp"
#include "service/app.hpp"

namespace jiesu::cli {

namespace {
struct AssessOptions {
  std::string db = "sqlite:jiesu.db";
  std::string month;
  std::string level = "township";
  std::string format = "json";
  std::string out;
  bool report = false;
};
}  // namespace

void AddAssess(CLI::App& cli, int* exit_code) {
  auto opts = std::make_shared<AssessOptions>();
  CLI::App* cmd = cli.add_subcommand("assess", "The monthly assessment (考评) of every unit");
  cmd->add_option("--db", opts->db, "Database URL")->required();
  cmd->add_option("--month", opts->month, "YYYY-MM")->required();
  cmd->add_option("--level", opts->level, "township | community | department");
  cmd->add_option("--format", opts->format,
                  "json (the assessment; with --report the review), md, html or xlsx (the "
                  "review; xlsx needs --out)")
      ->check(CLI::IsMember({"json", "md", "html", "xlsx"}));
  cmd->add_flag("--report", opts->report,
                "With --format json: print the monthly review (点评) JSON, not the assessment");
  cmd->add_option("--out", opts->out, "Write to this file instead of standard output");
  cmd->callback([opts, exit_code] {
    service::Config config;
    config.db_url = opts->db;
    auto app = service::App::Open(config);
    if (!app.ok()) {
      std::cerr << "jiesu: " << app.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    const bool review = opts->report || opts->format != "json";
    if (opts->format == "xlsx" && opts->out.empty()) {
      std::cerr << "jiesu: --format xlsx writes a workbook: give --out FILE.xlsx\n";
      *exit_code = 2;
      return;
    }
    if (review && opts->level != "township") {
      std::cerr << "jiesu: the monthly review covers township-level units only\n";
      *exit_code = 2;
      return;
    }
    std::string text;
    if (review) {
      auto r = (*app)->reports().Monthly(opts->month);
      if (!r.ok()) {
        std::cerr << "jiesu: " << r.status().message() << "\n";
        *exit_code = r.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
        return;
      }
      if (opts->format == "xlsx") {
        const Status written = assess::RenderXlsx(*r, opts->out);
        if (!written.ok()) {
          std::cerr << "jiesu: " << written.message() << "\n";
          *exit_code = 1;
        }
        return;
      }
      if (opts->format == "md") {
        text = assess::RenderMarkdown(*r);
      } else if (opts->format == "html") {
        text = assess::RenderHtml(*r);
      } else {
        text = assess::ReviewToJson(*r).dump(2) + "\n";
      }
    } else {
      auto a = (*app)->assessments().Monthly(opts->month, opts->level);
      if (!a.ok()) {
        std::cerr << "jiesu: " << a.status().message() << "\n";
        *exit_code = a.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
        return;
      }
      text = assess::AssessmentToJson(*a).dump(2) + "\n";
    }
    if (opts->out.empty()) {
      std::cout << text;
      return;
    }
    std::ofstream out(opts->out, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "jiesu: cannot write " << opts->out << "\n";
      *exit_code = 1;
    }
  });
}

}  // namespace jiesu::cli
