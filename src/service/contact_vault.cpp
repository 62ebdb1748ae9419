#include "service/contact_vault.hpp"

#include <sodium.h>
#include <sys/stat.h>

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

}  // namespace

Result<ContactVault> ContactVault::Open(const std::string& key_file) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  ContactVault vault;
  if (const char* env = std::getenv("JIESU_SECRET_KEY"); env && *env) {
    JIESU_ASSIGN_OR_RETURN(vault.key_, DecodeHexKey(env));
    return vault;
  }
  std::ifstream in(key_file);
  if (in) {
    std::string hex;
    std::getline(in, hex);
    auto key = DecodeHexKey(std::string(TrimSpace(hex)));
    if (!key.ok()) return Status::Invalid(key_file + ": " + key.status().message());
    vault.key_ = *key;
    return vault;
  }
  crypto_secretbox_keygen(vault.key_.data());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, vault.key_.data(), vault.key_.size());
  const mode_t old = umask(077);
  std::ofstream out(key_file);
  umask(old);
  out << hex << "\n";
  out.close();
  if (!out) return Status::Internal("cannot write the secret key file " + key_file);
  return vault;
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
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status::Internal("sealed contact is truncated");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const std::size_t cipher_len = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, cipher_len, nonce,
                                 key_.data()) != 0) {
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
