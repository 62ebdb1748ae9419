// Config: every setting jiesu reads, as one typed struct loaded once at start-up (cli/ parses the
// TOML file and the command line; see configs/jiesu.example.toml). Services receive the slices
// they need through their constructors; nothing reads global configuration.
#pragma once

#include <cstddef>
#include <string>

#include "domain/scoring.hpp"

namespace jiesu::service {

struct Config {
  std::string db_url = "sqlite:jiesu.db";
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;  // shipped data (units, categories, calendar); found next to the binary
  std::string web_dir;   // dashboard files
  // Secret for caller contact encryption: JIESU_SECRET_KEY (64 hex digits) wins, else this file,
  // created with a fresh random key on first start (default: the database path + ".key").
  std::string secret_key_file;

  domain::ScoreWeights weights;

  // Category model written by `jiesu model train`; empty: the catalogue's keywords alone.
  std::string model_file;
  double auto_dispatch_threshold = 0.6;  // dispatch without the operator at this confidence
  int duplicate_window_days = 30;        // open cases this recent are checked for duplicates
  double duplicate_threshold = 0.25;     // bigram similarity that flags a possible duplicate

  std::size_t max_body_bytes = 1 << 20;  // 413 above this
  int http_threads = 32;                 // worker pool; >= expected keep-alive connections
  int list_limit_max = 500;
};

}  // namespace jiesu::service
