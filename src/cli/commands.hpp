// The command-line interface (DESIGN §6.2): one function per subcommand, each in its own file,
// registered on the CLI11 app by Main(). Exit status 0 on success, 1 on error (one line on
// stderr), 2 on bad usage.
#pragma once

#include <CLI/CLI.hpp>

#include "common/result.hpp"
#include "service/config.hpp"

namespace jiesu::cli {

using jiesu::Result;

// Runs jiesu with the process's arguments; returns the exit status.
int Main(int argc, char** argv);

// Loads a TOML config file over the defaults; InvalidArgument with the file's error.
Result<service::Config> LoadConfig(const std::string& path);

// Subcommand registration; each returns the exit status through `*exit_code` when it runs.
void AddServe(CLI::App& app, int* exit_code);
void AddDemo(CLI::App& app, int* exit_code);
void AddKeys(CLI::App& app, int* exit_code);
void AddAssess(CLI::App& app, int* exit_code);
void AddModel(CLI::App& app, int* exit_code);
void AddImport(CLI::App& app, int* exit_code);
void AddRoutes(CLI::App& app, int* exit_code);
void AddExport(CLI::App& app, int* exit_code);
void AddCheck(CLI::App& app, int* exit_code);

// Serves HTTP on `listen` (HOST:PORT) until SIGINT/SIGTERM; shared by serve and demo.
int Serve(service::Config config, const std::function<void(int port)>& on_ready = nullptr);

}  // namespace jiesu::cli
