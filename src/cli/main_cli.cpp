#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands.hpp"

namespace jiesu::cli {

int Main(int argc, char** argv) {
  CLI::App app{"jiesu — 接诉即办: citizen requests and governance cases for a district"};
  app.require_subcommand(1);
  int exit_code = 0;
  AddServe(app, &exit_code);
  AddDemo(app, &exit_code);
  AddKeys(app, &exit_code);
  AddAssess(app, &exit_code);
  AddModel(app, &exit_code);
  AddImport(app, &exit_code);
  AddExport(app, &exit_code);
  AddCheck(app, &exit_code);
  AddRoutes(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "jiesu: " << e.what() << " (see jiesu --help)\n";
    return 2;
  }
  return exit_code;
}

}  // namespace jiesu::cli
