#include <malloc.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <condition_variable>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "http/server.hpp"

namespace jiesu::cli {

namespace {

http::Server* g_server = nullptr;
std::atomic<bool> g_reload_model{false};

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();
}

void OnHangup(int) { g_reload_model = true; }

struct ServeOptions {
  std::string config_file;
  std::string db;
  std::string listen;
  std::string web_dir;
  std::string model;
};

}  // namespace

int Serve(service::Config config, const std::function<void(int port)>& on_ready) {
  const auto colon = config.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(config.listen.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    std::cerr << "jiesu: --listen must be HOST:PORT, got '" << config.listen << "'\n";
    return 2;
  }
  const std::string host = config.listen.substr(0, colon);
  auto app = service::App::Open(config);
  if (!app.ok()) {
    std::cerr << "jiesu: " << app.status().message() << "\n";
    return 1;
  }
  http::Server server(**app);
  g_server = &server;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGHUP, OnHangup);

  // Housekeeping: 督办 flags overdue cases every five minutes (and once at start); SIGHUP reloads
  // the category model (checked every second: a signal handler may only set a flag); every 10 s
  // malloc_trim gives freed pages inside the heaps back to the system (glibc returns only a
  // heap's free top by itself: in the soak RSS followed the high-water mark of requests in
  // flight, 107 MiB with 24 MiB in use, 61 MiB after a trim; docs/reliability.md, "Soak").
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread housekeeper([&] {
    std::unique_lock lock(mu);
    auto next_sweep = std::chrono::steady_clock::now();
    auto next_trim = next_sweep + std::chrono::seconds(10);
    do {
      if (std::chrono::steady_clock::now() >= next_trim) {
        malloc_trim(0);
        next_trim += std::chrono::seconds(10);
      }
      if (std::chrono::steady_clock::now() >= next_sweep) {
        auto n = (*app)->cases().SuperviseOverdue();
        if (!n.ok()) spdlog::warn("overdue sweep failed: {}", n.status().ToString());
        if (n.ok() && *n > 0) spdlog::info("督办: flagged {} overdue cases", *n);
        next_sweep += std::chrono::minutes(5);
      }
      if (g_reload_model.exchange(false)) {
        auto model = (*app)->ReloadModel();
        if (model.ok()) {
          spdlog::info("model reloaded: {}", (*model)->Version());
        } else {
          spdlog::warn("model reload failed, the current model stays: {}",
                       model.status().message());
        }
      }
    } while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return stopping; }));
  });

  Status s = server.Bind(host, port);
  if (s.ok()) {
    if (on_ready) on_ready(server.port());
    spdlog::info("jiesu serving on http://{}:{}/", host, server.port());
    s = server.Run();
  }
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  housekeeper.join();
  g_server = nullptr;
  if (!s.ok()) {
    std::cerr << "jiesu: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

void AddServe(CLI::App& cli, int* exit_code) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = cli.add_subcommand("serve", "Serve the HTTP API and the dashboard");
  cmd->add_option("--db", opts->db,
                  "Database URL: sqlite:PATH or postgresql://… (default sqlite:jiesu.db)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT (default 127.0.0.1:8080)");
  cmd->add_option("--config", opts->config_file, "TOML config file");
  cmd->add_option("--web-dir", opts->web_dir, "Dashboard files (default: web/ of the install)");
  cmd->add_option("--model", opts->model, "Category model file written by 'jiesu model train'");
  cmd->callback([opts, exit_code] {
    auto config = LoadConfig(opts->config_file);
    if (!config.ok()) {
      std::cerr << "jiesu: " << config.status().message() << "\n";
      *exit_code = 1;
      return;
    }
    if (!opts->db.empty()) config->db_url = opts->db;
    if (!opts->listen.empty()) config->listen = opts->listen;
    if (!opts->web_dir.empty()) config->web_dir = opts->web_dir;
    if (!opts->model.empty()) config->model_file = opts->model;
    *exit_code = Serve(*config, [host = config->listen](int port) {
      std::cout << "serving on http://" << host.substr(0, host.rfind(':')) << ":" << port << "/"
                << std::endl;
    });
  });
}

}  // namespace jiesu::cli
