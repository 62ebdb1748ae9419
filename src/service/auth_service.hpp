// AuthService: API keys. A key reads "jz_<prefix>_<secret>": the prefix finds the row, the secret
// is checked against its argon2id hash (libsodium crypto_pwhash_str); the plain key is shown once,
// at creation, and never stored. Verified keys are cached in memory by a BLAKE2b digest so that
// the deliberately slow hash runs once per key per process; a cached key is looked up again (by
// its prefix, without the hash) when its check is over 30 s old, so that a key revoked by another
// process (`jiesu keys revoke`) stops working within 30 s. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"
#include "domain/role.hpp"
#include "service/reference.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

class AuthService {
 public:
  AuthService(storage::Database& db, std::shared_ptr<const Reference> ref, const Clock& clock)
      : db_(db), ref_(std::move(ref)), clock_(clock) {}

  // Creates a key and returns it in plain text. A handler key must name a unit (any level below
  // the district); other roles may name one. Fails with InvalidArgument on a bad role or unit.
  // Resident keys are made only by CreateResidentKey.
  Result<std::string> CreateKey(domain::Role role, const std::string& unit,
                                const std::string& name);
  // A key of role `resident` for a resident of a building in `community`; the plain key and the
  // key's id (the resident record names it).
  struct NewKey {
    std::string key;
    std::int64_t id = 0;
  };
  Result<NewKey> CreateResidentKey(const std::string& community, const std::string& name);
  // The actor behind a bearer token; Unauthenticated for a missing, malformed, unknown or revoked
  // key (one message for all, so that the answer does not tell which).
  Result<domain::Actor> Authenticate(const std::string& token);
  // Revokes a key at once in this process (and within 30 s in others); NotFound for no such key.
  Status Revoke(std::int64_t key_id);

 private:
  Result<NewKey> InsertKey(domain::Role role, const std::string& unit, const std::string& name);
  storage::Database& db_;
  std::shared_ptr<const Reference> ref_;
  const Clock& clock_;
  std::mutex mu_;
  struct Verified {
    domain::Actor actor;
    Timestamp checked_at = 0;
  };
  std::unordered_map<std::string, Verified> verified_;  // digest → actor
};

}  // namespace jiesu::service
