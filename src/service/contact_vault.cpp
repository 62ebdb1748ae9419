#include "service/contact_vault.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"

namespace jiesu::service {

namespace {

Result<std::array<unsigned char, 32>> DecodeHexKey(const std::string& hex) {
  std::array<unsigned char, 32> key{};
  size_t len = 0;
  if (hex.size() != 64 || sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr,
                                         &len, nullptr) != 0 ||
      len != key.size()) {
    return Status::Invalid("the secret key must be 64 hexadecimal digits");
  }
  return key;
}

// flock(2) `how` (LOCK_SH, LOCK_EX) on `path`, held until the last copy of the result is gone;
// null when another process holds a conflicting lock.
Result<std::shared_ptr<const int>> LockFile(const std::string& path, int how) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, how | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::shared_ptr<const int>();
    return Status::Internal("cannot lock " + path + ": " + std::strerror(err));
  }
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

// Reads a key file: nullopt when it does not exist.
Result<std::optional<std::array<unsigned char, 32>>> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<std::array<unsigned char, 32>>();
  std::string hex;
  std::getline(in, hex);
  auto key = DecodeHexKey(std::string(TrimSpace(hex)));
  if (!key.ok()) return Status::Invalid(path + ": " + key.status().message());
  return std::optional<std::array<unsigned char, 32>>(*key);
}

// Writes a fresh key to `path` (mode 0600, fsync'd) and returns it.
Result<std::array<unsigned char, 32>> WriteNewKeyFile(const std::string& path) {
  std::array<unsigned char, 32> key{};
  crypto_secretbox_keygen(key.data());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot write the secret key file " + path);
  const std::string line = std::string(hex) + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::Internal("cannot write the secret key file " + path);
  return key;
}

}  // namespace

Result<ContactVault> ContactVault::Open(const std::string& key_file) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (const char* env = std::getenv("JIESU_SECRET_KEY"); env && *env) {
    ContactVault vault;
    JIESU_ASSIGN_OR_RETURN(vault.key_, DecodeHexKey(env));
    return vault;
  }
  JIESU_ASSIGN_OR_RETURN(auto lock, LockFile(key_file + ".lock", LOCK_SH));
  if (!lock) {
    return Status::Unavailable("the secret key is being rotated (jiesu keys rotate-secret); "
                               "start again when that has finished");
  }
  JIESU_ASSIGN_OR_RETURN(ContactVault vault, ReadKeys(key_file));
  vault.lock_ = std::move(lock);
  return vault;
}

Result<ContactVault> ContactVault::ReadKeys(const std::string& key_file) {
  ContactVault vault;
  // A rotation that stopped half-way left its new key beside the file: contacts are sealed with
  // one or the other, so both open them until `jiesu keys rotate-secret` completes it.
  JIESU_ASSIGN_OR_RETURN(auto next, ReadKeyFile(key_file + ".next"));
  if (next) vault.fallback_ = *next;
  JIESU_ASSIGN_OR_RETURN(auto current, ReadKeyFile(key_file));
  if (current) {
    vault.key_ = *current;
    return vault;
  }
  JIESU_ASSIGN_OR_RETURN(vault.key_, WriteNewKeyFile(key_file));
  return vault;
}

Result<int> ContactVault::Rotate(storage::Database& db, const std::string& key_file) {
  if (const char* env = std::getenv("JIESU_SECRET_KEY"); env && *env) {
    return Status::Invalid("the key comes from JIESU_SECRET_KEY: rotate it with a key file "
                           "(unset JIESU_SECRET_KEY, put the key in the file, rotate, then use "
                           "the file or the new key)");
  }
  // Every process that seals contacts (serve, demo, import) holds the lock shared: one of them
  // sealing with the old key after the re-encryption would make its contacts unreadable.
  JIESU_ASSIGN_OR_RETURN(auto lock, LockFile(key_file + ".lock", LOCK_EX));
  if (!lock) {
    return Status::Conflict("a jiesu process (serve, demo, import) is using this key: stop it "
                            "first");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  JIESU_ASSIGN_OR_RETURN(ContactVault old, ReadKeys(key_file));
  ContactVault fresh;
  const std::string next_file = key_file + ".next";
  if (old.fallback_) {
    fresh.key_ = *old.fallback_;  // finish the rotation that was interrupted
  } else {
    JIESU_ASSIGN_OR_RETURN(fresh.key_, WriteNewKeyFile(next_file));
  }
  JIESU_ASSIGN_OR_RETURN(int n, db.ResealContacts([&](const std::string& sealed) -> Result<std::string> {
    JIESU_ASSIGN_OR_RETURN(Contact c, old.Unseal(sealed));
    return fresh.Seal(c);
  }));
  if (::rename(next_file.c_str(), key_file.c_str()) != 0) {
    return Status::Internal("contacts are re-encrypted but " + next_file + " could not replace " +
                            key_file + ": rename it by hand");
  }
  // The rename is on disk only once the directory is: else a power cut could bring the old key
  // back beside contacts sealed with the new one.
  std::string dir = std::filesystem::path(key_file).parent_path().string();
  if (dir.empty()) dir = ".";
  if (const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  return n;
}

std::string ContactVault::Seal(const Contact& contact) const {
  const std::string plain = nlohmann::json{{"name", contact.name}, {"phone", contact.phone}, {"email", contact.email}}.dump();
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        key_.data());
  return out;
}

Result<Contact> ContactVault::Unseal(const std::string& sealed) const {
  auto c = UnsealWith(key_, sealed);
  if (!c.ok() && fallback_) return UnsealWith(*fallback_, sealed);
  return c;
}

Result<Contact> ContactVault::UnsealWith(const std::array<unsigned char, 32>& key,
                                         const std::string& sealed) {
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status::Internal("sealed contact is truncated");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const std::size_t cipher_len = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, cipher_len, nonce,
                                 key.data()) != 0) {
    return Status::Internal("caller contact does not decrypt: wrong secret key?");
  }
  const auto j = nlohmann::json::parse(plain, nullptr, false);
  if (!j.is_object()) return Status::Internal("sealed contact is corrupt");
  return Contact{j.value("name", ""), j.value("phone", ""), j.value("email", "")};
}

std::string MaskPhone(const std::string& phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() >= 11) return digits.substr(0, 3) + "****" + digits.substr(digits.size() - 4);
  if (digits.size() <= 2) return std::string(digits.size(), '*');
  return std::string(digits.size() - 2, '*') + digits.substr(digits.size() - 2);
}

std::string MaskName(const std::string& name) {
  const std::size_t n = Utf8Length(name);
  if (n == 0) return "";
  return std::string(Utf8Prefix(name, 1)) + std::string(n > 1 ? n - 1 : 1, '*');
}

std::string MaskEmail(const std::string& email) {
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0) return std::string(Utf8Length(email), '*');
  return std::string(Utf8Prefix(email, 1)) + "***" + email.substr(at);
}

Status ValidateEmail(const std::string& email) {
  const auto at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos) {
    return Status::Invalid("caller.email must look like name@example.com");
  }
  for (unsigned char c : email) {
    if (c <= ' ' || c == 0x7f) return Status::Invalid("caller.email may not contain spaces");
  }
  return Status::Ok();
}

Status ValidatePhone(const std::string& phone) {
  int digits = 0;
  for (std::size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == '-' || c == ' ' || (c == '+' && i == 0))) {
      return Status::Invalid("caller.phone may contain only digits, spaces, '-' and a leading '+'");
    }
  }
  if (digits < 5 || digits > 20) return Status::Invalid("caller.phone must have 5 to 20 digits");
  return Status::Ok();
}

}  // namespace jiesu::service
