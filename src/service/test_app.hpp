// For tests: a whole App on a fresh SQLite file and key in a private temporary directory, removed
// with everything in it when the TempApp goes. Header-only; used by the service tests.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "service/app.hpp"

namespace jiesu::service {

class TempApp {
 public:
  // `status()` says why when the App could not be opened (app() is then null).
  TempApp() {
    static std::atomic<int> serial{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("jiesu_app_" + std::to_string(::getpid()) + "_" + std::to_string(serial++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Config cfg;
    cfg.db_url = "sqlite:" + (dir_ / "t.db").string();
    cfg.data_dir = DefaultDataDir();
    cfg.secret_key_file = (dir_ / "t.key").string();
    auto app = App::Open(cfg);
    status_ = app.status();
    if (app.ok()) app_ = std::move(*app);
  }
  ~TempApp() {
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempApp(const TempApp&) = delete;
  TempApp& operator=(const TempApp&) = delete;

  App* app() { return app_.get(); }
  // Closes the App (its database, its hold on the key), keeping the files.
  void Close() { app_.reset(); }
  const Status& status() const { return status_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<App> app_;
  Status status_;
};

}  // namespace jiesu::service
