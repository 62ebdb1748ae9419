// Duplicate detection: how alike two case texts are, by the overlap of their character bigrams
// (robust to the word-order and filler differences between two callers describing one problem).
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace jiesu::dispatch {

// Sorted, de-duplicated bigrams of the CJK/alphanumeric characters of a text.
std::vector<std::uint64_t> Bigrams(std::string_view text);
// Jaccard similarity of two bigram sets, in [0,1].
double Similarity(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

}  // namespace jiesu::dispatch
