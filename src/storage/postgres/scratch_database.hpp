// ScratchDatabase: for tests, a fresh PostgreSQL database on the server that JIESU_TEST_PG names
// (a libpq URI of a server where the test may create and drop databases), dropped with everything
// in it when the ScratchDatabase goes. The storage unit tests and the functional tests' TempDir
// use it to run every test on its own database. Not thread-safe; one per test.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace jiesu::storage {

// How to run the PostgreSQL tests, for the message of a test skipped without a server.
inline constexpr const char* kPostgresTestHint =
    "PostgreSQL tests skipped: set JIESU_TEST_PG to a server's URI (scripts/pg-test.sh start DIR, "
    "then JIESU_TEST_PG='postgresql:///postgres?host=DIR&user=postgres'), or run ctest -R postgres";

class ScratchDatabase {
 public:
  // JIESU_TEST_PG, or nullopt when it is unset or empty.
  static std::optional<std::string> ServerUri();
  // Creates a database named `prefix`_PID_N on the server. Fails with Unavailable when the
  // server cannot be reached, Internal when it refuses (no CREATEDB privilege).
  static Result<std::unique_ptr<ScratchDatabase>> Create(const std::string& server_uri,
                                                         const std::string& prefix);
  ~ScratchDatabase();  // drops it, ending any session still on it (DROP … WITH (FORCE))
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  // The new database's URI: the server's with the database name replaced.
  const std::string& url() const { return url_; }
  // Its name (lower-case letters, digits and underscores: no quoting needed).
  const std::string& name() const { return name_; }

 private:
  ScratchDatabase(std::string server_uri, std::string name, std::string url)
      : server_uri_(std::move(server_uri)), name_(std::move(name)), url_(std::move(url)) {}

  std::string server_uri_;
  std::string name_;
  std::string url_;
};

// `uri` (postgresql://… or postgres://…) naming database `name` instead of its own; Invalid for
// anything that is not such a URI.
Result<std::string> WithDatabaseName(const std::string& uri, const std::string& name);

}  // namespace jiesu::storage
