#include "common/bigrams.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace jiesu {

namespace {

// A 15-bit code for the characters that count (ASCII letters and digits, CJK ideographs), 0 for
// the others.
std::uint32_t Code(char32_t cp) {
  if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return cp;
  if (cp >= 0x4E00 && cp <= 0x9FFF) return cp - 0x4E00 + 0x80;
  return 0;
}

}  // namespace

BigramSet Bigrams(std::string_view text) {
  BigramSet out;
  std::uint32_t prev = 0;
  for (const char32_t cp : DecodeUtf8(text)) {
    const std::uint32_t code = Code(cp);
    if (prev != 0 && code != 0) out.push_back((prev << 16) | code);
    prev = code;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Jaccard(std::size_t common, std::size_t a, std::size_t b) {
  const std::size_t all = a + b - common;
  return all == 0 ? 0 : static_cast<double>(common) / static_cast<double>(all);
}

double Similarity(const BigramSet& a, const BigramSet& b) {
  if (a.empty() || b.empty()) return 0;
  // A branch-free merge of the two sorted sets: this loop is most of intake's duplicate check.
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    const std::uint32_t x = a[i], y = b[j];
    common += x == y;
    i += x <= y;
    j += y <= x;
  }
  return Jaccard(common, a.size(), b.size());
}

double SimilarityIfAtLeast(const BigramSet& a, const BigramSet& b, double threshold) {
  const double small = static_cast<double>(std::min(a.size(), b.size()));
  const double large = static_cast<double>(std::max(a.size(), b.size()));
  if (large == 0 || small / large < threshold) return 0;
  // Jaccard = c / (|a| + |b| - c) >= t  ⇔  c >= t (|a| + |b|) / (1 + t). Rounded down a hair, so
  // that a pair exactly at the threshold (2 of 12: 2 / 10 = 0.2) is left to the final check
  // rather than cut off by the rounding of this product.
  const double needed = threshold * (small + large) / (1 + threshold) * (1 - 1e-9);
  std::size_t common = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    for (int step = 0; step < 64 && i < a.size() && j < b.size(); ++step) {
      const std::uint32_t x = a[i], y = b[j];
      common += x == y;
      i += x <= y;
      j += y <= x;
    }
    const std::size_t left = std::min(a.size() - i, b.size() - j);
    if (static_cast<double>(common + left) < needed) return 0;
  }
  const double s = Jaccard(common, a.size(), b.size());
  return s >= threshold ? s : 0;
}

}  // namespace jiesu
