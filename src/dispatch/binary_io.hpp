// Little-endian binary encoding for model files: a writer that appends to a string and a reader
// that checks every length against what is left, so a truncated or corrupt file is an error value,
// never an out-of-bounds read. Header-only; value types, thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace jiesu::dispatch {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string* out) : out_(out) {}
  void U32(std::uint32_t v) { Raw(&v, sizeof v); }
  void U64(std::uint64_t v) { Raw(&v, sizeof v); }
  void F32(float v) { Raw(&v, sizeof v); }
  void Bytes(std::string_view s) {
    U64(s.size());
    out_->append(s);
  }

 private:
  // The model files are written and read on little-endian machines (amd64, arm64).
  void Raw(const void* p, std::size_t n) { out_->append(static_cast<const char*>(p), n); }
  std::string* out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}
  // Each returns false (and leaves `*v` unspecified) when the input is too short.
  bool U32(std::uint32_t* v) { return Raw(v, sizeof *v); }
  bool U64(std::uint64_t* v) { return Raw(v, sizeof *v); }
  bool F32(float* v) { return Raw(v, sizeof *v); }
  bool Bytes(std::string_view* s) {
    std::uint64_t n = 0;
    if (!U64(&n) || n > in_.size() - pos_) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  bool Raw(void* p, std::size_t n) {
    if (n > in_.size() - pos_) return false;
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

// FNV-1a, 64 bits: the checksum of a model file (detects truncation and bit rot, not tampering).
inline std::uint64_t Fnv1a64(std::string_view s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

}  // namespace jiesu::dispatch
