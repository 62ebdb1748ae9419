// How alike two texts are, by the overlap of their character bigrams (robust to the word-order and
// filler differences between two callers describing one problem): intake's duplicate check and
// the monthly hot topics use it. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace jiesu {

// Sorted, distinct bigrams of a text's ASCII letters and digits and CJK ideographs (U+4E00–9FFF),
// each pair of characters packed exactly into 32 bits; other characters break the sequence.
using BigramSet = std::vector<std::uint32_t>;

BigramSet Bigrams(std::string_view text);
// The Jaccard similarity of two sets of `a` and `b` elements that share `common`: common ÷
// (a + b − common); 0 for two empty sets. The one formula of everything here.
double Jaccard(std::size_t common, std::size_t a, std::size_t b);
// Jaccard similarity of two bigram sets, in [0,1].
double Similarity(const BigramSet& a, const BigramSet& b);
// Similarity(a, b) when it reaches `threshold`, else 0 — often decided early: from the sizes
// alone where they differ too much (Jaccard ≤ smaller / larger), or during the merge as soon as
// the elements left cannot bring the overlap up to what the threshold needs.
double SimilarityIfAtLeast(const BigramSet& a, const BigramSet& b, double threshold);

}  // namespace jiesu
