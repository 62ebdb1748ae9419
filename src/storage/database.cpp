#include "storage/database.hpp"

#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace jiesu::storage {

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    auto db = PostgresDatabase::Open(url);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Database>(std::move(*db));
  }
  // Not echoed: a malformed URL may still carry a password.
  if (url.rfind("postgres:", 0) == 0 || url.rfind("postgresql:", 0) == 0) {
    return Status::Invalid("a PostgreSQL database URL starts with postgresql:// or postgres://");
  }
  const std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty()) return Status::Invalid("database URL names no file: '" + url + "'");
  auto db = SqliteDatabase::Open(path);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Database>(std::move(*db));
}

}  // namespace jiesu::storage
