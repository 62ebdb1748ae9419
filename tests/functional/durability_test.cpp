// DESIGN §6.4: a 201 means the case is on disk; kill -9 right after it loses
// nothing.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <mutex>

#include "harness.hpp"

namespace jiesu::ftest {
namespace {

// Every case the operator can list: id → text.
std::map<std::int64_t, std::string> AllCases(Api &api, const std::string &key) {
  std::map<std::int64_t, std::string> out;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    std::string path = "/api/v1/cases?limit=500";
    if (!cursor.empty())
      path += "&cursor=" + cursor;
    const Response r = api.Get(path, key);
    if (r.status != 200) {
      ADD_FAILURE() << "GET " << path << ": " << r;
      return out;
    }
    for (const json &c : r.body["cases"])
      out[c["id"].get<std::int64_t>()] = c.value("text", "");
    if (r.body["next_cursor"].is_null())
      return out;
    cursor = r.body["next_cursor"].get<std::string>();
  }
  ADD_FAILURE() << "paging did not end";
  return out;
}

void ExpectKilled(int status) {
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "wait status " << status;
}

TEST(DurabilityTest, SequentialCasesSurviveKill9) {
  TempDir dir;
  ServerProcess server;
  std::string error;
  ASSERT_TRUE(StartServer(dir, server, &error)) << error;
  const std::string key = CreateKey(dir.DbUrl(), "operator");
  ASSERT_FALSE(key.empty());

  std::vector<std::pair<std::int64_t, std::string>> acknowledged;
  {
    Api api(server.port());
    ASSERT_EQ(api.Get("/api/v1/me", key).status,
              200); // verify the key before the timed part
    for (int i = 0; i < 30; ++i) {
      const std::string text = "持久化测试第" + std::to_string(i) +
                               "条: 梨园镇群芳园社区" + std::to_string(i) +
                               "号楼楼道灯不亮, 物业不修";
      const Response r = api.CreateCase(key, ComplaintBody(kLiyuan, text));
      ASSERT_EQ(r.status, 201) << r;
      acknowledged.emplace_back(r.body["id"].get<std::int64_t>(), text);
    }
    ExpectKilled(server.Stop(SIGKILL));
  }

  ASSERT_TRUE(StartServer(dir, server, &error)) << error;
  Api api(server.port());
  for (const auto &[id, text] : acknowledged) {
    const Response r = api.GetCase(key, id);
    ASSERT_EQ(r.status, 200) << "acknowledged case " << id << " lost: " << r;
    EXPECT_EQ(r.body["text"], text);
    EXPECT_EQ(r.body["status"], "dispatched");
    EXPECT_EQ(r.body["unit"]["code"], kLiyuan);
    // The sealed caller contact survived too (it is written with the case).
    ASSERT_TRUE(r.body.contains("caller")) << r;
    EXPECT_EQ(r.body["caller"]["phone"], "13812341234");
  }
  const Response health = api.Get("/healthz");
  ASSERT_EQ(health.status, 200) << health;
  EXPECT_EQ(health.body["cases"], 30);
  // The restarted server keeps accepting writes, with fresh ids.
  const Response more = api.CreateCase(key, ComplaintBody(kLiyuan));
  ASSERT_EQ(more.status, 201) << more;
  EXPECT_GT(more.body["id"].get<std::int64_t>(), acknowledged.back().first);
  server.Stop(SIGTERM);
}

TEST(DurabilityTest, ConcurrentCasesSurviveKill9) {
  TempDir dir;
  ServerProcess server;
  std::string error;
  ASSERT_TRUE(StartServer(dir, server, &error)) << error;
  const std::string key = CreateKey(dir.DbUrl(), "operator");
  ASSERT_FALSE(key.empty());
  {
    Api warm(server.port());
    ASSERT_EQ(warm.Get("/api/v1/me", key).status, 200);
  }

  constexpr int kThreads = 8;
  std::atomic<bool> killing{false};
  std::mutex mu;
  std::map<std::int64_t, std::string> acknowledged;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  const int port = server.port();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Api api(port);
      for (int n = 0; !killing.load(); ++n) {
        const std::string text = "并发持久化测试 线程" + std::to_string(t) +
                                 " 第" + std::to_string(n) +
                                 "条 梨园镇小区物业不修电梯";
        const Response r = api.CreateCase(key, ComplaintBody(kLiyuan, text));
        std::lock_guard lock(mu);
        if (r.status == 201) {
          acknowledged[r.body["id"].get<std::int64_t>()] = text;
        } else if (!killing.load()) {
          failures.push_back("thread " + std::to_string(t) + ": HTTP " +
                             std::to_string(r.status) + " " + r.error + " " +
                             r.raw.substr(0, 300));
          return;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  killing.store(true);
  ExpectKilled(server.Stop(SIGKILL));
  for (auto &th : threads)
    th.join();
  EXPECT_TRUE(failures.empty())
      << failures.size() << " writes failed before the kill, first: "
      << (failures.empty() ? "" : failures.front());
  ASSERT_GE(acknowledged.size(), static_cast<std::size_t>(kThreads))
      << "too few writes were acknowledged to test anything";

  ASSERT_TRUE(StartServer(dir, server, &error)) << error;
  Api api(server.port());
  const auto stored = AllCases(api, key);
  std::size_t lost = 0;
  for (const auto &[id, text] : acknowledged) {
    const auto it = stored.find(id);
    if (it == stored.end()) {
      if (++lost <= 5)
        ADD_FAILURE() << "acknowledged case " << id << " is gone after kill -9";
      continue;
    }
    EXPECT_EQ(it->second, text) << "case " << id;
  }
  EXPECT_EQ(lost, 0u) << "of " << acknowledged.size() << " acknowledged cases";
  // Unacknowledged requests in flight may or may not have been stored, but
  // nothing else.
  EXPECT_LE(stored.size(), acknowledged.size() + kThreads);
  server.Stop(SIGTERM);
}

} // namespace
} // namespace jiesu::ftest
