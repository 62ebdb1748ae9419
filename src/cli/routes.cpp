#include <iostream>

#include "cli/commands.hpp"
#include "http/open311.hpp"
#include "http/routes.hpp"

namespace jiesu::cli {

void AddRoutes(CLI::App& cli, int* exit_code) {
  CLI::App* cmd = cli.add_subcommand(
      "routes", "Print the HTTP route table: METHOD PATH NAME, one route per line");
  cmd->callback([exit_code] {
    for (const auto* table : {&http::Routes(), &http::Open311Routes()}) {
      for (const auto& r : *table) std::cout << r.method << ' ' << r.path << ' ' << r.name << '\n';
    }
    *exit_code = 0;
  });
}

}  // namespace jiesu::cli
