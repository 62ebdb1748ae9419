#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace jiesu::http {

std::optional<int> RateLimiter::Take(const std::string& caller, Clock::time_point now) {
  if (rate_ <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxCallers && !buckets_.count(caller)) {
    // Forget the callers whose buckets are full again: they have been idle for burst/rate s.
    std::erase_if(buckets_, [&](const auto& kv) {
      const double idle = std::chrono::duration<double>(now - kv.second.last).count();
      return kv.second.tokens + idle * rate_ >= burst_;
    });
    if (buckets_.size() >= kMaxCallers) buckets_.clear();
  }
  auto [it, fresh] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
}

}  // namespace jiesu::http
