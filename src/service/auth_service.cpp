#include "service/auth_service.hpp"

#include <sodium.h>

namespace jiesu::service {

using domain::Actor;
using domain::Role;

namespace {

// How long a verified key is trusted without looking it up again.
constexpr Timestamp kRecheckSeconds = 30;

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::string Digest(const std::string& token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

}  // namespace

Result<std::string> AuthService::CreateKey(Role role, const std::string& unit,
                                           const std::string& name) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (role == Role::kSystem) return Status::Invalid("the system role has no keys");
  if (role == Role::kHandler && unit.empty()) {
    return Status::Invalid("a handler key must name its unit (--unit CODE)");
  }
  if (!unit.empty()) {
    const domain::Unit* u = ref_->units.Find(unit);
    if (u == nullptr) return Status::Invalid("unknown unit '" + unit + "'");
    if (role == Role::kHandler && u->level == domain::UnitLevel::kDistrict) {
      return Status::Invalid("a handler is bound to a street, town, community or department, "
                             "not the whole district; use a supervisor key");
    }
  }
  if (role == Role::kResident) {
    return Status::Invalid("resident keys are made by registering a resident with their building "
                           "(POST /api/v1/buildings/{id}/residents)");
  }
  JIESU_ASSIGN_OR_RETURN(NewKey key, InsertKey(role, unit, name));
  return key.key;
}

Result<AuthService::NewKey> AuthService::CreateResidentKey(const std::string& community,
                                                           const std::string& name) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return InsertKey(Role::kResident, community, name);
}

Result<AuthService::NewKey> AuthService::InsertKey(Role role, const std::string& unit,
                                                   const std::string& name) {
  const std::string prefix = RandomHex(6);
  const std::string secret = RandomHex(16);
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Internal("out of memory hashing the key");
  }
  storage::KeyRecord rec;
  rec.prefix = prefix;
  rec.hash = hash;
  rec.role = role;
  rec.unit = unit;
  rec.name = name.empty() ? std::string(domain::RoleName(role)) : name;
  rec.created_at = clock_.Now();
  JIESU_ASSIGN_OR_RETURN(std::int64_t id, db_.InsertKey(rec));
  return NewKey{"jz_" + prefix + "_" + secret, id};
}

Result<Actor> AuthService::Authenticate(const std::string& token) {
  const Status denied = Status::Unauthenticated("missing, unknown or revoked API key");
  if (token.size() != 3 + 12 + 1 + 32 || token.compare(0, 3, "jz_") != 0 || token[15] != '_') {
    return denied;
  }
  const std::string digest = Digest(token);
  const std::string prefix = token.substr(3, 12);
  const Timestamp now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(digest); it != verified_.end()) {
      if (now - it->second.checked_at < kRecheckSeconds) return it->second.actor;
    }
  }
  JIESU_ASSIGN_OR_RETURN(auto rec, db_.FindKey(prefix));
  if (!rec || rec->revoked) {
    std::lock_guard lock(mu_);
    verified_.erase(digest);
    return denied;
  }
  {
    // Known and still valid: only the time of the check moves.
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(digest); it != verified_.end()) {
      it->second.checked_at = now;
      return it->second.actor;
    }
  }
  const std::string secret = token.substr(16);
  if (crypto_pwhash_str_verify(rec->hash.c_str(), secret.data(), secret.size()) != 0) {
    return denied;
  }
  Actor actor{rec->role, rec->unit, rec->name, rec->id};
  std::lock_guard lock(mu_);
  verified_[digest] = Verified{actor, now};
  return actor;
}

Status AuthService::Revoke(std::int64_t key_id) {
  JIESU_RETURN_IF_ERROR(db_.RevokeKey(key_id, clock_.Now()));
  std::lock_guard lock(mu_);
  std::erase_if(verified_, [&](const auto& entry) { return entry.second.actor.key_id == key_id; });
  return Status::Ok();
}

}  // namespace jiesu::service
