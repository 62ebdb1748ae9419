// Per-caller request rate limits (a token bucket per API key, or per client address for the
// routes that need no key): `rate` requests a second on average, bursts up to `burst`. Above it
// the server answers 429 with Retry-After. Thread-safe; the table of callers is bounded (idle
// callers are forgotten first).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace jiesu::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate <= 0 turns limiting off.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  // Takes one token for `caller`; nullopt when allowed, else the whole seconds to wait.
  std::optional<int> Take(const std::string& caller, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  static constexpr std::size_t kMaxCallers = 100000;

  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace jiesu::http
