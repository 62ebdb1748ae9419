// Config: every setting jiesu reads, as one typed struct loaded once at start-up (cli/ parses the
// TOML file and the command line; see configs/jiesu.example.toml). Services receive the slices
// they need through their constructors; nothing reads global configuration.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "domain/scoring.hpp"

namespace jiesu::service {

// A neighbouring jurisdiction that takes transferred cases through Open311 (TOML [[peers]]).
struct Peer {
  std::string name;          // what transfer{to} names, e.g. "wuqing"
  std::string title;         // shown to people, e.g. "天津市武清区"
  std::string url;           // its Open311 base, e.g. "http://10.0.0.2:8080/open311/v2/"
  std::string api_key;       // our key at the peer
  std::string service_code;  // the peer's service for our cases; empty: the case's category code
};

struct Config {
  std::string db_url = "sqlite:jiesu.db";
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;  // shipped data (units, categories, calendar); found next to the binary
  std::string web_dir;   // dashboard files
  // The address clients reach jiesu at (Open311 discovery); empty: taken from the Host header.
  std::string public_url;
  // Attachment files; default: the database path + ".files".
  std::string attachments_dir;
  std::vector<Peer> peers;
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
  int http_threads = 64;                 // worker pool; >= expected keep-alive connections
  // Per API key (or per client address without a key): requests a second, and the burst above
  // it; 429 with Retry-After beyond. 0 turns it off.
  double rate_per_second = 200;
  double rate_burst = 1000;
  int list_limit_max = 500;
};

}  // namespace jiesu::service
