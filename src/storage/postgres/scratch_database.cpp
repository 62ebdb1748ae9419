#include "storage/postgres/scratch_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace jiesu::storage {

namespace {

// Runs one statement on the server's own database (CREATE/DROP DATABASE cannot run in the
// database concerned, nor take parameters: the name is ours and quoted as an identifier).
Status OnServer(const std::string& server_uri, const std::string& verb, const std::string& name,
                const std::string& tail) {
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {server_uri.c_str(), "10", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn) != CONNECTION_OK) {
    Status s = Status::Unavailable(std::string("cannot reach the PostgreSQL test server: ") +
                                   PQerrorMessage(conn));
    PQfinish(conn);
    return s;
  }
  char* quoted = PQescapeIdentifier(conn, name.data(), name.size());
  const std::string sql = verb + " " + (quoted ? quoted : "") + tail;
  PQfreemem(quoted);
  PGresult* res = PQexec(conn, sql.c_str());
  Status s = PQresultStatus(res) == PGRES_COMMAND_OK
                 ? Status::Ok()
                 : Status::Internal(sql + ": " + PQresultErrorMessage(res));
  PQclear(res);
  PQfinish(conn);
  return s;
}

}  // namespace

std::optional<std::string> ScratchDatabase::ServerUri() {
  const char* uri = std::getenv("JIESU_TEST_PG");
  if (uri == nullptr || *uri == '\0') return std::nullopt;
  return std::string(uri);
}

Result<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(const std::string& server_uri,
                                                                 const std::string& prefix) {
  static std::atomic<int> serial{0};
  const std::string name =
      prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(serial++);
  JIESU_ASSIGN_OR_RETURN(std::string url, WithDatabaseName(server_uri, name));
  JIESU_RETURN_IF_ERROR(OnServer(server_uri, "CREATE DATABASE", name,
                                 " ENCODING 'UTF8' TEMPLATE template0"));
  return std::unique_ptr<ScratchDatabase>(new ScratchDatabase(server_uri, name, std::move(url)));
}

ScratchDatabase::~ScratchDatabase() {
  Status s = OnServer(server_uri_, "DROP DATABASE IF EXISTS", name_, " WITH (FORCE)");
  if (!s.ok()) spdlog::warn("test database {} left behind: {}", name_, s.message());
}

Result<std::string> WithDatabaseName(const std::string& uri, const std::string& name) {
  std::size_t scheme = 0;
  for (const char* prefix : {"postgresql://", "postgres://"}) {
    if (uri.rfind(prefix, 0) == 0) scheme = std::string(prefix).size();
  }
  if (scheme == 0) {
    return Status::Invalid("not a PostgreSQL URI (postgresql://…): " + uri.substr(0, 16) + "…");
  }
  // postgresql://[userinfo@][hosts][/dbname][?params]
  const std::size_t path = uri.find_first_of("/?", scheme);
  const std::size_t query = uri.find('?', scheme);
  std::string out = uri.substr(0, path == std::string::npos ? uri.size() : path) + "/" + name;
  if (query != std::string::npos) out += uri.substr(query);
  return out;
}

}  // namespace jiesu::storage
