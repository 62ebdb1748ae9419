#include "http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace jiesu::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiterTest, BurstThenTheSustainedRatePerCaller) {
  RateLimiter limiter(2, 5);  // 2 a second, bursts of 5
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Take("key 1", t0).has_value()) << i;
  const auto wait = limiter.Take("key 1", t0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 1);
  EXPECT_FALSE(limiter.Take("key 2", t0).has_value()) << "another caller has its own bucket";
  EXPECT_FALSE(limiter.Take("key 1", t0 + 500ms).has_value()) << "one token back after 0.5 s";
  EXPECT_TRUE(limiter.Take("key 1", t0 + 500ms).has_value());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Take("key 1", t0 + 60s).has_value()) << i;
  EXPECT_TRUE(limiter.Take("key 1", t0 + 60s).has_value()) << "idle time refills only the burst";
}

TEST(RateLimiterTest, ZeroRateIsOff) {
  RateLimiter off(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(off.Take("k").has_value());
}

}  // namespace
}  // namespace jiesu::http
