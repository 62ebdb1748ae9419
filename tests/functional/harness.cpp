#include "harness.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

extern char **environ;

namespace jiesu::ftest {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string ReadFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// JIESU_TEST_PG: the PostgreSQL server the tests' databases are made on, or
// nullopt for SQLite files.
const std::optional<std::string> &PostgresServer() {
  static const std::optional<std::string> uri =
      storage::ScratchDatabase::ServerUri();
  return uri;
}

// With PostgreSQL there is no database file for jiesu to keep its key and
// attachments beside (it uses ./jiesu.key and ./jiesu.files then): children
// get a fixed test key and run in a directory of their own.
const std::string &PostgresChildDir() {
  static const TempDir dir;
  return dir.path();
}

// The environment for children: ours without JIESU_SECRET_KEY, so the binary
// makes DB.key; with PostgreSQL, a fixed key instead.
std::vector<std::string> ChildEnv() {
  std::vector<std::string> env;
  for (char **e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "JIESU_SECRET_KEY=", 17) == 0)
      continue;
    env.emplace_back(*e);
  }
  if (PostgresServer())
    env.push_back("JIESU_SECRET_KEY=" + std::string(64, '7'));
  return env;
}

std::vector<char *> Pointers(std::vector<std::string> &strings) {
  std::vector<char *> out;
  for (auto &s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns JIESU_BINARY with `args`; the file actions have been prepared by the
// caller.
pid_t SpawnJiesu(const std::vector<std::string> &args,
                 posix_spawn_file_actions_t *actions, std::string *error) {
  std::vector<std::string> argv = {JIESU_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = ChildEnv();
  if (PostgresServer())
    posix_spawn_file_actions_addchdir_np(actions, PostgresChildDir().c_str());
  auto argv_p = Pointers(argv);
  auto env_p = Pointers(env);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, JIESU_BINARY, actions, nullptr,
                             argv_p.data(), env_p.data());
  if (rc != 0) {
    *error =
        std::string("posix_spawn ") + JIESU_BINARY + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

// Waits for pid up to timeout; kills it with SIGKILL after. Returns the wait
// status.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout, bool *timed_out) {
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  *timed_out = false;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid)
      return status;
    if (r < 0 && errno != EINTR)
      return -1;
    if (Clock::now() >= deadline) {
      *timed_out = true;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
}

} // namespace

TempDir::TempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/jiesu_ft_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << tmpl << ": " << std::strerror(errno);
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::DbUrl(const std::string &file) const {
  if (!PostgresServer())
    return "sqlite:" + path_ + "/" + file;
  auto &db = databases_[file];
  if (db == nullptr) {
    auto scratch =
        storage::ScratchDatabase::Create(*PostgresServer(), "jiesu_ft");
    if (!scratch.ok()) {
      ADD_FAILURE() << "no test database: " << scratch.status().ToString();
      return "";
    }
    db = std::move(*scratch);
  }
  return db->url();
}

std::string TempDir::UnreachableDbUrl() const {
  if (!PostgresServer())
    return "sqlite:" + path_ + "/no/such/dir/x.db";
  return "postgresql:///jiesu?host=" + path_ + "/no/such/dir";
}

std::vector<ProcResult>
RunJiesuAll(const std::vector<std::vector<std::string>> &commands,
            int timeout_s) {
  struct Child {
    pid_t pid = -1;
    std::string out_path, err_path, error;
  };
  TempDir io;
  std::vector<Child> children(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    Child &c = children[i];
    c.out_path = io.path() + "/out" + std::to_string(i);
    c.err_path = io.path() + "/err" + std::to_string(i);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, c.out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, c.err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    c.pid = SpawnJiesu(commands[i], &actions, &c.error);
    posix_spawn_file_actions_destroy(&actions);
  }
  std::vector<ProcResult> results(commands.size());
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    Child &c = children[i];
    ProcResult &r = results[i];
    if (c.pid < 0) {
      r.err = c.error;
      continue;
    }
    bool timed_out = false;
    const auto left =
        std::max(std::chrono::milliseconds(1),
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     deadline - Clock::now()));
    const int status = WaitFor(c.pid, left, &timed_out);
    r.out = ReadFile(c.out_path);
    r.err = ReadFile(c.err_path);
    if (timed_out)
      r.err += "\n[harness: killed after " + std::to_string(timeout_s) + " s]";
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return results;
}

ProcResult RunJiesu(const std::vector<std::string> &args, int timeout_s) {
  return RunJiesuAll({args}, timeout_s).front();
}

std::string LastLine(const std::string &text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    const auto e = line.find_last_not_of(" \t\r");
    last = line.substr(b, e - b + 1);
  }
  return last;
}

// ---- Caller protection: the contact-leak check
// Every response to a key that may not see contact (and to no key), and every server log, is
// searched for a mobile number (11 digits starting 13–19 with no digit around them): any is a
// leak (条例 Art. 8, 35). Keys are registered with their role as they are created.

namespace {

std::mutex g_roles_mu;
std::map<std::string, std::string> g_key_roles;

bool MayReadContact(const std::string &key) {
  std::lock_guard lock(g_roles_mu);
  const auto it = g_key_roles.find(key);
  if (key.empty()) return false;
  if (it == g_key_roles.end()) return true; // a key this harness did not create
  return it->second == "operator" || it->second == "admin";
}

} // namespace

std::string FindMobileNumber(const std::string &text) {
  const auto digit = [&](std::size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  };
  for (std::size_t i = 0; i + 11 <= text.size(); ++i) {
    if (text[i] != '1' || !(text[i + 1] >= '3' && text[i + 1] <= '9'))
      continue;
    if (i > 0 && digit(i - 1))
      continue;
    std::size_t n = 0;
    while (digit(i + n))
      ++n;
    if (n == 11)
      return text.substr(i, 11);
  }
  return "";
}

void CheckNoContact(const std::string &key, const std::string &what,
                    const std::string &text) {
  if (MayReadContact(key))
    return;
  const std::string phone = FindMobileNumber(text);
  EXPECT_EQ(phone, "") << "caller contact leaked in " << what << ": "
                       << text.substr(0, 600);
}

std::vector<std::string> CreateKeys(const std::string &db_url,
                                    const std::vector<KeySpec> &specs) {
  std::vector<std::vector<std::string>> commands;
  for (const KeySpec &k : specs) {
    std::vector<std::string> args = {"keys", "create", "--db",
                                     db_url, "--role", k.role};
    if (!k.unit.empty())
      args.insert(args.end(), {"--unit", k.unit});
    if (!k.name.empty())
      args.insert(args.end(), {"--name", k.name});
    commands.push_back(std::move(args));
  }
  const std::vector<ProcResult> results = RunJiesuAll(commands);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ProcResult &r = results[i];
    std::string key;
    if (r.exit_code != 0) {
      ADD_FAILURE() << "jiesu keys create --role " << specs[i].role
                    << " exited " << r.exit_code << "\nstdout: " << r.out
                    << "\nstderr: " << r.err;
    } else {
      key = LastLine(r.out);
      if (key.rfind("jz_", 0) != 0 || key.find(' ') != std::string::npos) {
        ADD_FAILURE() << "the last line of `keys create` is not a key: '" << key
                      << "'";
        key.clear();
      }
    }
    if (!key.empty()) {
      std::lock_guard lock(g_roles_mu);
      g_key_roles[key] = specs[i].role;
    }
    keys.push_back(key);
  }
  return keys;
}

std::string CreateKey(const std::string &db_url, const std::string &role,
                      const std::string &unit, const std::string &name) {
  return CreateKeys(db_url, {{role, unit, name}}).front();
}

// ---- ServerProcess
// -----------------------------------------------------------------------------

ServerProcess::~ServerProcess() {
  if (running())
    Stop(SIGKILL);
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0)
    ::kill(pid_, sig);
}

bool ServerProcess::Start(const std::string &db_url,
                          const std::string &log_path, std::string *error,
                          int timeout_s,
                          const std::vector<std::string> &extra_args) {
  log_path_ = log_path;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<std::string> args = {"serve", "--db", db_url, "--listen",
                                   "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = SpawnJiesu(args, &actions, error);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (pid_ < 0) {
    ::close(fds[0]);
    return false;
  }
  stdout_fd_ = fds[0];

  // Read stdout until the "serving on http://HOST:PORT/" line, the child's exit
  // or the timeout.
  static const std::regex kReady(R"(serving on http://[^/\s]+:(\d+)/)");
  std::string seen;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    std::smatch m;
    if (std::regex_search(seen, m, kReady) &&
        seen.find('\n', m.position(0)) != std::string::npos) {
      port_ = std::stoi(m[1].str());
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - Clock::now())
                          .count();
    if (left <= 0) {
      *error = "jiesu serve did not print 'serving on http://…' within " +
               std::to_string(timeout_s) + " s; stdout so far: '" + seen +
               "'\nstderr: " + LogTail();
      Stop(SIGKILL);
      return false;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      continue;
    char buf[4096];
    const ssize_t got = ::read(stdout_fd_, buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      *error = "jiesu serve exited before it was ready; stdout: '" + seen +
               "'\nstderr: " + LogTail();
      Stop(SIGKILL);
      return false;
    }
    seen.append(buf, static_cast<std::size_t>(got));
  }
  // Keep reading stdout so the server never blocks on a full pipe.
  drain_ = std::thread([fd = stdout_fd_] {
    char buf[4096];
    for (;;) {
      const ssize_t got = ::read(fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return;
    }
  });
  return true;
}

int ServerProcess::Stop(int sig) {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, sig);
  bool timed_out = false;
  const int status = WaitFor(pid_, std::chrono::seconds(15), &timed_out);
  if (timed_out)
    ADD_FAILURE() << "jiesu serve did not stop within 15 s of signal " << sig;
  pid_ = -1;
  if (drain_.joinable())
    drain_.join();
  const std::string phone = FindMobileNumber(ReadFile(log_path_));
  EXPECT_EQ(phone, "") << "caller contact in the server log " << log_path_;
  if (stdout_fd_ >= 0)
    ::close(stdout_fd_);
  stdout_fd_ = -1;
  return status;
}

std::string ServerProcess::LogTail(std::size_t max_bytes) const {
  const std::string log = ReadFile(log_path_);
  return log.size() > max_bytes ? "…" + log.substr(log.size() - max_bytes)
                                : log;
}

// ---- Api
// ---------------------------------------------------------------------------------------

struct Api::Impl {
  explicit Impl(int port) : client("127.0.0.1", port) {
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(60, 0); // argon2 key checks under ASan can be slow
    client.set_write_timeout(60, 0);
  }
  httplib::Client client;
};

Api::Api(int port) : impl_(new Impl(port)) {}
Api::~Api() { delete impl_; }

namespace {

httplib::Headers AuthHeaders(const std::string &key) {
  httplib::Headers h;
  if (!key.empty())
    h.emplace("Authorization", "Bearer " + key);
  return h;
}

Response ToResponse(const httplib::Result &res) {
  Response r;
  if (!res) {
    r.error = httplib::to_string(res.error());
    return r;
  }
  r.status = res->status;
  r.raw = res->body;
  r.content_type = res->get_header_value("Content-Type");
  for (const auto &[name, value] : res->headers)
    r.headers[name] = value;
  r.body = json::parse(r.raw, nullptr, /*allow_exceptions=*/false);
  if (r.body.is_discarded())
    r.body = nullptr;
  return r;
}

} // namespace

Response Api::Get(const std::string &path, const std::string &key) {
  Response r = ToResponse(impl_->client.Get(path.c_str(), AuthHeaders(key)));
  CheckNoContact(key, "GET " + path, r.raw);
  return r;
}

Response Api::Post(const std::string &path, const std::string &key,
                   const json &body) {
  return PostRaw(path, key, body.dump(), "application/json");
}

Response Api::PostRaw(const std::string &path, const std::string &key,
                      const std::string &body,
                      const std::string &content_type) {
  Response r = ToResponse(impl_->client.Post(path.c_str(), AuthHeaders(key),
                                             body, content_type.c_str()));
  CheckNoContact(key, "POST " + path, r.raw);
  return r;
}

Response Api::PostFile(const std::string &path, const std::string &key,
                       const std::string &field, const std::string &filename,
                       const std::string &content,
                       const std::string &content_type) {
  httplib::MultipartFormDataItems items = {
      {field, content, filename, content_type}};
  Response r = ToResponse(
      impl_->client.Post(path.c_str(), AuthHeaders(key), items));
  CheckNoContact(key, "POST " + path, r.raw);
  return r;
}

Response Api::PostForm(
    const std::string &path,
    const std::vector<std::pair<std::string, std::string>> &form) {
  httplib::Params params(form.begin(), form.end());
  Response r = ToResponse(impl_->client.Post(path.c_str(), params));
  CheckNoContact("", "POST " + path, r.raw);
  return r;
}

Response Api::Act(const std::string &key, std::int64_t id,
                  const std::string &action, json fields) {
  fields["action"] = action;
  return Post("/api/v1/cases/" + std::to_string(id) + "/actions", key, fields);
}

std::ostream &operator<<(std::ostream &os, const Response &r) {
  os << "HTTP " << r.status;
  if (!r.error.empty())
    os << " (transport error: " << r.error << ")";
  os << " " << (r.raw.size() > 1500 ? r.raw.substr(0, 1500) + "…" : r.raw);
  return os;
}

std::string UrlEncode(const std::string &s) {
  static const char *kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool IsBeijingIsoTime(const std::string &s) {
  static const std::regex kIso(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00)");
  return std::regex_match(s, kIso);
}

void ExpectError(const Response &r, int status, const std::string &code) {
  EXPECT_EQ(r.status, status) << r;
  ASSERT_TRUE(r.body.is_object()) << "error body is not a JSON object: " << r;
  ASSERT_TRUE(r.body.contains("error") && r.body["error"].is_object()) << r;
  const json &e = r.body["error"];
  EXPECT_EQ(e.value("code", ""), code) << r;
  EXPECT_TRUE(e.contains("message") && e["message"].is_string() &&
              !e["message"].get<std::string>().empty())
      << r;
  EXPECT_TRUE(e.contains("request_id") && e["request_id"].is_string() &&
              !e["request_id"].get<std::string>().empty())
      << r;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos)
      << r.content_type;
}

json ComplaintBody(const std::string &unit, const std::string &text) {
  json body = {
      {"type", "投诉"},
      {"title", "小区物业不管楼道灯"},
      {"text", text.empty()
                   ? "梨园镇群芳园社区3号楼楼道灯坏了一个月, 物业公司一直不修"
                   : text},
      {"address", "通州区梨园镇群芳园社区3号楼"},
      {"category", kCatProperty},
      {"caller", {{"name", "张三"}, {"phone", "13812341234"}}}};
  if (!unit.empty())
    body["unit"] = unit;
  return body;
}

std::int64_t CreateCaseId(Api &api, const std::string &key, const json &body) {
  const Response r = api.CreateCase(key, body);
  if (r.status != 201 || !r.body.is_object() || !r.body.contains("id") ||
      !r.body["id"].is_number_integer()) {
    ADD_FAILURE() << "creating a case: " << r << "\nrequest: " << body.dump();
    return 0;
  }
  return r.body["id"].get<std::int64_t>();
}

json ActOk(Api &api, const std::string &key, std::int64_t id,
           const std::string &action, const json &fields,
           const std::string &expected_status) {
  const Response r = api.Act(key, id, action, fields);
  if (r.status != 200 || !r.body.is_object()) {
    ADD_FAILURE() << action << " on case " << id << ": " << r;
    return nullptr;
  }
  EXPECT_EQ(r.body.value("status", ""), expected_status)
      << action << " on case " << id;
  return r.body;
}

// ---- the shared server
// -------------------------------------------------------------------------

bool StartServer(const TempDir &dir, ServerProcess &server,
                 std::string *error) {
  return server.Start(dir.DbUrl(), dir.path() + "/server.log", error);
}

namespace {

Shared *g_shared = nullptr;
bool g_shared_tried = false;

class SharedEnvironment final : public ::testing::Environment {
public:
  void TearDown() override {
    if (g_shared == nullptr)
      return;
    const int status = g_shared->server.Stop(SIGTERM);
    // A SIGTERM is a graceful stop: the server should exit 0.
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "jiesu serve on SIGTERM: wait status " << status << "\n"
        << g_shared->server.LogTail();
    delete g_shared;
    g_shared = nullptr;
  }
};

[[maybe_unused]] ::testing::Environment *const kSharedEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedEnvironment);

} // namespace

Shared *SharedServer() {
  if (g_shared_tried)
    return g_shared;
  g_shared_tried = true;
  auto shared = std::make_unique<Shared>();
  std::string error;
  if (!StartServer(shared->dir, shared->server, &error)) {
    ADD_FAILURE() << "cannot start the shared server: " << error;
    return nullptr;
  }
  Keys &k = shared->keys;
  const auto created =
      CreateKeys(shared->dir.DbUrl(), {{"operator", "", "话务员小王"},
                                       {"admin", "", ""},
                                       {"supervisor", "", "指挥中心"},
                                       {"inspector", "", ""},
                                       {"public", "", ""},
                                       {"handler", kLiyuan, "梨园镇专班"},
                                       {"handler", kZhongcang, "中仓街道专班"},
                                       {"handler", kQunfang, "群芳园社区"}});
  k.op = created[0];
  k.admin = created[1];
  k.supervisor = created[2];
  k.inspector = created[3];
  k.pub = created[4];
  k.liyuan = created[5];
  k.zhongcang = created[6];
  k.qunfang = created[7];
  for (const std::string *key : {&k.op, &k.admin, &k.supervisor, &k.inspector,
                                 &k.pub, &k.liyuan, &k.zhongcang, &k.qunfang}) {
    if (key->empty())
      return nullptr;
  }
  g_shared = shared.release();
  return g_shared;
}

} // namespace jiesu::ftest
