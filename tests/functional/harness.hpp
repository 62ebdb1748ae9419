// Functional-test harness: runs the real `jiesu` binary (JIESU_BINARY) as a
// child process on a temporary database and talks HTTP to it over loopback.
// The database is SQLite, or PostgreSQL when JIESU_TEST_PG names a server
// (docs/postgres.md): every test then gets fresh databases there.
//
// - TempDir: a fresh directory under $TMPDIR, removed with everything in it on
// destruction, and the test's databases (DbUrl), dropped with it.
// - RunJiesu: one CLI invocation (keys create, demo, assess…), with its exit
// code and output.
// - ServerProcess: `jiesu serve` on 127.0.0.1:0; Start() waits for the "serving
// on" line.
// - Api: a small JSON client (one keep-alive connection; not thread-safe, one
// per thread).
// - SharedServer(): one lazily started server with a key per role, shared by
// the lifecycle,
//   permission and error suites; stopped by a global test environment at the
//   end.
//
// Failures to start or to run the binary are reported as test failures with the
// child's output.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/scratch_database.hpp"

namespace jiesu::ftest {

using nlohmann::json;

// A fresh temporary directory; removed recursively on destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  // The URL of the test database called `file`: "sqlite:<dir>/<file>", or
  // with JIESU_TEST_PG a fresh PostgreSQL database, the same one for the same
  // `file` (records a failure and returns "" when it cannot be created).
  std::string DbUrl(const std::string &file = "t.db") const;
  // A database URL that cannot be opened: a file in a directory that does not
  // exist, or a PostgreSQL server socket that is not there.
  std::string UnreachableDbUrl() const;

private:
  std::string path_;
  mutable std::map<std::string, std::unique_ptr<storage::ScratchDatabase>>
      databases_;
};

struct ProcResult {
  int exit_code =
      -1; // -1 when the process could not be started or was killed by a signal
  std::string out;
  std::string err;
};

// The first mobile number (11 digits, 13…–19…) in `text`, or "".
std::string FindMobileNumber(const std::string &text);
// Fails the test when `text`, answered to `key` (or to no key), holds a mobile number and the
// key's role may not read caller contact (only operator and admin keys may).
void CheckNoContact(const std::string &key, const std::string &what,
                    const std::string &text);

// Runs `jiesu args…` to completion (killed after timeout_s), with
// JIESU_SECRET_KEY unset.
ProcResult RunJiesu(const std::vector<std::string> &args, int timeout_s = 120);

// The last non-empty line of `text`, trimmed.
std::string LastLine(const std::string &text);

// Runs several `jiesu` commands at once and waits for all of them.
std::vector<ProcResult>
RunJiesuAll(const std::vector<std::vector<std::string>> &commands,
            int timeout_s = 120);

struct KeySpec {
  std::string role, unit, name;
};
// `jiesu keys create` for each spec, run in parallel (the database must exist
// already, e.g. created by a running server); "" (after a recorded failure) for
// a key that failed.
std::vector<std::string> CreateKeys(const std::string &db_url,
                                    const std::vector<KeySpec> &specs);

// `jiesu keys create`; returns the key, or "" after recording a test failure.
std::string CreateKey(const std::string &db_url, const std::string &role,
                      const std::string &unit = "",
                      const std::string &name = "");

// `jiesu serve --db URL --listen 127.0.0.1:0` as a child process.
class ServerProcess {
public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess &) = delete;
  ServerProcess &operator=(const ServerProcess &) = delete;

  // Starts the server and waits (up to timeout_s) for its "serving on
  // http://HOST:PORT/" line. On failure returns false and fills *error with
  // what went wrong and the server's stderr. `extra_args` follow the
  // defaults on the command line.
  bool Start(const std::string &db_url, const std::string &log_path,
             std::string *error, int timeout_s = 20,
             const std::vector<std::string> &extra_args = {});
  // Sends `sig` and waits for the process (SIGKILL after 15 s). Returns the raw
  // wait status, or -1 when no process was running.
  int Stop(int sig);
  // Sends `sig` and leaves the process running (SIGHUP: reload the model).
  void Signal(int sig);
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string LogTail(std::size_t max_bytes = 4000) const;

private:
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string log_path_;
  std::thread drain_;
};

struct Response {
  int status = 0; // 0 when the request failed at the transport level
  std::string raw;
  std::string content_type;
  std::map<std::string, std::string> headers;  // the last value of each
  json body;         // parsed when raw is JSON, else null
  std::string error; // transport error text
};

// Prints a response for assertion messages.
std::ostream &operator<<(std::ostream &os, const Response &r);

class Api {
public:
  explicit Api(int port);
  ~Api();
  Api(const Api &) = delete;
  Api &operator=(const Api &) = delete;

  Response Get(const std::string &path, const std::string &key = "");
  Response Post(const std::string &path, const std::string &key,
                const json &body);
  Response PostRaw(const std::string &path, const std::string &key,
                   const std::string &body, const std::string &content_type);
  // multipart/form-data with one file part.
  Response PostFile(const std::string &path, const std::string &key,
                    const std::string &field, const std::string &filename,
                    const std::string &content,
                    const std::string &content_type = "application/octet-stream");
  // application/x-www-form-urlencoded, without a bearer key.
  Response PostForm(const std::string &path,
                    const std::vector<std::pair<std::string, std::string>> &form);

  // Shorthands for the case routes. Act posts {action, …fields}.
  Response CreateCase(const std::string &key, const json &body) {
    return Post("/api/v1/cases", key, body);
  }
  Response GetCase(const std::string &key, std::int64_t id) {
    return Get("/api/v1/cases/" + std::to_string(id), key);
  }
  Response Act(const std::string &key, std::int64_t id,
               const std::string &action, json fields = json::object());

private:
  struct Impl;
  Impl *impl_;
};

// Percent-encodes a query-string value.
std::string UrlEncode(const std::string &s);

// Whether `s` looks like "YYYY-MM-DDTHH:MM:SS+08:00".
bool IsBeijingIsoTime(const std::string &s);

// Expects the error shape {"error":{"code":CODE,"message":…,"request_id":…}}
// with HTTP `status`.
void ExpectError(const Response &r, int status, const std::string &code);

// Keys of the shared server.
struct Keys {
  std::string op, admin, supervisor, inspector, pub;
  std::string liyuan;    // handler of 梨园镇 110112121
  std::string zhongcang; // handler of 中仓街道 110112001
  std::string qunfang;   // handler of 群芳园社区 110112121013
};

struct Shared {
  TempDir dir;
  ServerProcess server;
  Keys keys;
  std::string start_error;
  int port() const { return server.port(); }
};

// The shared server, started on first use; null after recording a failure when
// it cannot start.
Shared *SharedServer();

// Starts a server with the given keys on `dir`; returns false after filling
// *error.
bool StartServer(const TempDir &dir, ServerProcess &server, std::string *error);

// Unit codes used throughout.
inline const std::string kLiyuan = "110112121";     // 梨园镇
inline const std::string kQunfang = "110112121013"; // 群芳园社区 (梨园镇)
inline const std::string kJingzhou = "110112121008"; // 京洲园社区 (梨园镇)
inline const std::string kZhongcang = "110112001"; // 中仓街道
inline const std::string kXinhua = "110112002";    // 新华街道
inline const std::string kCatProperty = "0101"; // 物业管理 (township-handled)
inline const std::string kCatWater = "0105"; // 供水 (区水务局 110112D09)

// A 投诉 about property management with a caller, dispatched by the operator to
// `unit`.
json ComplaintBody(const std::string &unit, const std::string &text = "");

// Creates a case as `key` and returns its id, or 0 after recording a failure
// (expects 201).
std::int64_t CreateCaseId(Api &api, const std::string &key, const json &body);

// Runs one action and expects HTTP 200 and the given status; returns the case
// JSON (or null).
json ActOk(Api &api, const std::string &key, std::int64_t id,
           const std::string &action, const json &fields,
           const std::string &expected_status);

// Fixture for suites on the shared server: s_ and keys() are ready in every
// test.
class SharedServerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() { s_ = SharedServer(); }
  void SetUp() override {
    if (s_ == nullptr)
      GTEST_FAIL() << "the shared jiesu server is not running";
    api_ = std::make_unique<Api>(s_->port());
  }
  Api &api() { return *api_; }
  const Keys &keys() const { return s_->keys; }

  static inline Shared *s_ = nullptr;
  std::unique_ptr<Api> api_;
};

} // namespace jiesu::ftest
