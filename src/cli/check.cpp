// `jiesu check --db URL`: the store's self-check (service/store_check.hpp) as one JSON line;
// exit 1 when anything is wrong.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "service/app.hpp"
#include "service/store_check.hpp"

namespace jiesu::cli {

void AddCheck(CLI::App& cli, int* exit_code) {
  auto db = std::make_shared<std::string>();
  CLI::App* cmd = cli.add_subcommand(
      "check", "Check the database: integrity, and every case equal to the fold of its events");
  cmd->add_option("--db", *db, "Database URL")->required();
  cmd->callback([db, exit_code] {
    service::Config config;
    config.db_url = *db;
    auto app = service::App::Open(config);
    if (!app.ok()) {
      std::cerr << "jiesu: " << app.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    auto check = service::CheckStore((*app)->db());
    if (!check.ok()) {
      std::cerr << "jiesu: check: " << check.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    std::cout << nlohmann::json{{"integrity", check->integrity},
                                {"cases", check->cases},
                                {"events", check->events},
                                {"mismatched", check->mismatched}}
                     .dump()
              << "\n";
    *exit_code = check->ok() ? 0 : 1;
  });
}

}  // namespace jiesu::cli
