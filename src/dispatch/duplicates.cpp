#include "dispatch/duplicates.hpp"

#include <algorithm>

namespace jiesu::dispatch {

namespace {

// Decodes the next code point of well-formed UTF-8; advances `i`.
std::uint32_t Next(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  std::uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (std::size_t k = 1; k < n && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += n;
  return cp;
}

bool Meaningful(std::uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 0x4E00 && cp <= 0x9FFF);
}

}  // namespace

std::vector<std::uint64_t> Bigrams(std::string_view text) {
  std::vector<std::uint64_t> out;
  std::uint32_t prev = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::uint32_t cp = Next(text, i);
    if (!Meaningful(cp)) {
      prev = 0;
      continue;
    }
    if (prev != 0) out.push_back((std::uint64_t{prev} << 32) | cp);
    prev = cp;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Similarity(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++common;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace jiesu::dispatch
