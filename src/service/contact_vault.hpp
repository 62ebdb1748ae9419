// ContactVault: caller contact data (条例 Art. 8, 35) sealed with libsodium's secretbox
// (XSalsa20-Poly1305) before it reaches storage, opened only for roles that may see it, and masked
// for everyone else. The key comes from JIESU_SECRET_KEY (64 hex digits) or a key file created
// with mode 0600 on first start. Thread-safe after construction.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "storage/database.hpp"

namespace jiesu::service {

struct Contact {
  std::string name;
  std::string phone;
  std::string email;
};

class ContactVault {
 public:
  // Fails with InvalidArgument for a malformed JIESU_SECRET_KEY, Internal when the key file cannot
  // be read or created, Unavailable while the key is being rotated. A vault from a key file holds
  // a shared lock on FILE.lock as long as it (or a copy) lives.
  static Result<ContactVault> Open(const std::string& key_file);

  std::string Seal(const Contact& contact) const;
  // Fails with Internal when the box does not open (wrong key or corrupt data).
  Result<Contact> Unseal(const std::string& sealed) const;

  // `jiesu keys rotate-secret`: re-encrypts every stored contact under a fresh key and puts it in
  // `key_file`, in an order that survives a crash at any point (new key written to FILE.next and
  // fsync'd; all contacts re-sealed in one transaction; FILE.next renamed over FILE; Open reads
  // both while FILE.next exists, and a second run completes the first). Conflict while any vault
  // of the file is open (a server, demo or import running). Returns how many contacts were
  // re-encrypted. InvalidArgument when the key comes from JIESU_SECRET_KEY.
  static Result<int> Rotate(storage::Database& db, const std::string& key_file);

 private:
  // The keys of `key_file` (and FILE.next), creating the file when there is none; no lock.
  static Result<ContactVault> ReadKeys(const std::string& key_file);
  static Result<Contact> UnsealWith(const std::array<unsigned char, 32>& key,
                                    const std::string& sealed);

  std::array<unsigned char, 32> key_{};
  std::optional<std::array<unsigned char, 32>> fallback_;  // FILE.next of an unfinished rotation
  std::shared_ptr<const int> lock_;  // the shared lock on FILE.lock (its descriptor)
};

// 13812341234 → 138****1234; short numbers keep only their last two digits.
std::string MaskPhone(const std::string& phone);
// 张三 → 张*, 欧阳娜娜 → 欧***.
std::string MaskName(const std::string& name);
// zhang.san@example.com → z***@example.com.
std::string MaskEmail(const std::string& email);
// Checks an e-mail address: one '@' with text on both sides, no spaces or control characters,
// at most 254 bytes.
Status ValidateEmail(const std::string& email);
// Checks a phone number: digits with optional leading + and separators, 5–20 digits.
Status ValidatePhone(const std::string& phone);

}  // namespace jiesu::service
