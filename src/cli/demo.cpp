#include <chrono>
#include <iostream>

#include "cli/commands.hpp"
#include "service/app.hpp"
#include "service/community_demo.hpp"
#include "service/demo_generator.hpp"

namespace jiesu::cli {

namespace {

struct DemoCliOptions {
  std::string db = "sqlite:jiesu.db";
  std::string listen = "127.0.0.1:8080";
  std::string web_dir;
  std::string config_file;
  std::string model;
  int months = 3;
  std::uint64_t seed = 12345;
  int cases_per_month = 4000;
  std::int64_t cases = 0;
  bool no_serve = false;
};

// One demo key per role, printed for the README tour.
struct DemoKey {
  domain::Role role;
  const char* unit;
  const char* name;
};
constexpr DemoKey kDemoKeys[] = {
    {domain::Role::kOperator, "", "12345热线 话务员"},
    {domain::Role::kHandler, "110112121", "梨园镇 接诉即办专班"},
    {domain::Role::kSupervisor, "", "区接诉即办指挥中心"},
    {domain::Role::kInspector, "", "区委巡察组"},
    {domain::Role::kAdmin, "", "系统管理员"},
    {domain::Role::kPublic, "", "市民"},
};

}  // namespace

void AddDemo(CLI::App& cli, int* exit_code) {
  auto opts = std::make_shared<DemoCliOptions>();
  CLI::App* cmd = cli.add_subcommand(
      "demo", "Fill an empty database with realistic demo cases for Tongzhou, then serve");
  cmd->add_option("--db", opts->db, "Database URL (default sqlite:jiesu.db)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT (default 127.0.0.1:8080)");
  cmd->add_option("--config", opts->config_file, "TOML config file");
  cmd->add_option("--web-dir", opts->web_dir, "Dashboard files");
  cmd->add_option("--months", opts->months, "Full months of history before this one (default 3)")
      ->check(CLI::Range(0, service::kMaxDemoMonths));
  cmd->add_option("--seed", opts->seed, "Random seed; the same seed gives the same data");
  auto* per_month =
      cmd->add_option("--cases-per-month", opts->cases_per_month, "Volume of a full month")
          ->check(CLI::Range(1, service::kMaxDemoCasesPerMonth));
  cmd->add_option("--cases", opts->cases,
                  "About this many cases in all, spread over the months (instead of "
                  "--cases-per-month)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}))
      ->excludes(per_month);
  cmd->add_option("--model", opts->model, "Category model file written by 'jiesu model train'");
  cmd->add_flag("--no-serve", opts->no_serve, "Fill the database and print keys, do not serve");
  cmd->callback([opts, exit_code] {
    auto config = LoadConfig(opts->config_file);
    if (!config.ok()) {
      std::cerr << "jiesu: " << config.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    config->db_url = opts->db;
    config->listen = opts->listen;
    if (!opts->web_dir.empty()) config->web_dir = opts->web_dir;
    if (!opts->model.empty()) config->model_file = opts->model;
    {
      auto app = service::App::Open(*config);
      if (!app.ok()) {
        std::cerr << "jiesu: " << app.status().message() << "\n";
        *exit_code = 1;
        return;
      }
      auto count = (*app)->db().CountCases();
      if (count.ok() && *count == 0) {
        service::DemoOptions demo;
        demo.months = opts->months;
        demo.seed = opts->seed;
        demo.cases_per_month = opts->cases_per_month;
        demo.total_cases = opts->cases;
        demo.data_dir = (*app)->config().data_dir;
        const auto start = std::chrono::steady_clock::now();
        auto stats = service::GenerateDemo((*app)->db(), (*app)->reference(), (*app)->vault(),
                                           demo);
        if (!stats.ok()) {
          std::cerr << "jiesu: demo: " << stats.status().message() << "\n";
          *exit_code = 1;
          return;
        }
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << "demo: " << stats->cases << " cases, " << stats->events << " events, "
                  << stats->callbacks << " valid callbacks, " << stats->findings
                  << " inspection findings, " << stats->first_month << " to "
                  << stats->last_month << " (" << secs << " s)\n";
      } else if (count.ok()) {
        std::cout << "demo: the database already holds " << *count << " cases; kept as is\n";
      }
      std::cout << "demo keys (one per role; each is shown only now):\n";
      for (const DemoKey& k : kDemoKeys) {
        auto key = (*app)->auth().CreateKey(k.role, k.unit, k.name);
        if (!key.ok()) {
          std::cerr << "jiesu: " << key.status().message() << "\n";
          *exit_code = 1;
          return;
        }
        std::cout << "  " << domain::RoleName(k.role) << (k.unit[0] ? " (" : "") << k.unit
                  << (k.unit[0] ? ")" : "") << "\t" << *key << "\n";
      }
      auto residents = service::SeedCommunityDemo(**app);
      if (!residents.ok()) {
        std::cerr << "jiesu: demo: " << residents.status().message() << "\n";
        *exit_code = 1;
        return;
      }
      for (const auto& [who, key] : *residents) std::cout << "  " << who << "\t" << key << "\n";
    }
    if (opts->no_serve) return;
    *exit_code = Serve(*config, [host = opts->listen](int port) {
      const std::string h = host.substr(0, host.rfind(':'));
      std::cout << "serving on http://" << h << ":" << port << "/  (Ctrl-C to stop)" << std::endl;
    });
  });
}

}  // namespace jiesu::cli
