#include "service/auth_service.hpp"

#include <gtest/gtest.h>

#include "service/test_app.hpp"

namespace jiesu::service {
namespace {

// Two AuthServices on one database stand for two processes (the server and `jiesu keys
// revoke`): each has its own cache of verified keys.
TEST(AuthServiceTest, ARevokedKeyStopsAtOnceHereAndWithinThirtySecondsElsewhere) {
  TempApp t;
  ASSERT_NE(t.app(), nullptr) << t.status().ToString();
  const std::shared_ptr<const Reference> ref(std::shared_ptr<const Reference>(),
                                             &t.app()->reference());
  ManualClock clock(1'800'000'000);
  AuthService here(t.app()->db(), ref, clock);
  AuthService elsewhere(t.app()->db(), ref, clock);
  auto key = here.CreateKey(domain::Role::kOperator, "", "话务员");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto actor = here.Authenticate(*key);
  ASSERT_TRUE(actor.ok());
  ASSERT_TRUE(elsewhere.Authenticate(*key).ok());

  ASSERT_TRUE(here.Revoke(actor->key_id).ok());
  EXPECT_EQ(here.Authenticate(*key).status().code(), StatusCode::kUnauthenticated);
  clock.Advance(29);
  EXPECT_TRUE(elsewhere.Authenticate(*key).ok()) << "still within its cache's 30 s";
  clock.Advance(2);
  EXPECT_EQ(elsewhere.Authenticate(*key).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(here.Revoke(987654).code(), StatusCode::kNotFound);
}

TEST(AuthServiceTest, AValidKeyIsLookedUpAgainButNotRehashed) {
  TempApp t;
  ASSERT_NE(t.app(), nullptr) << t.status().ToString();
  const std::shared_ptr<const Reference> ref(std::shared_ptr<const Reference>(),
                                             &t.app()->reference());
  ManualClock clock(1'800'000'000);
  AuthService auth(t.app()->db(), ref, clock);
  auto key = auth.CreateKey(domain::Role::kPublic, "", "市民");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(auth.Authenticate(*key).ok());
  clock.Advance(3600);
  ASSERT_TRUE(auth.Authenticate(*key).ok());
  // A wrong secret with the same prefix is refused, cached key or not.
  std::string wrong = *key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_EQ(auth.Authenticate(wrong).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.CreateKey(domain::Role::kResident, "110112121013", "x").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jiesu::service
