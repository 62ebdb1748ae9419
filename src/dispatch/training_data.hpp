// Training and evaluation data for the category classifier: labelled messages from CSV
// (DESIGN §6.2: columns id,title,text,label — UTF-8, a header row, RFC 4180 quoting; other columns
// are ignored), unlabelled messages for pretraining (the same columns without label), the
// competition's label tree (taxonomy.csv: level1,level2,level3) and stratified folds for
// cross-validation. Pure functions over values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace jiesu::dispatch {

struct LabelledText {
  std::string id;
  std::string title;
  std::string text;
  std::string label;  // empty for unlabelled messages
};

// The text a classifier sees for a message: the title, a newline, the body (the router builds the
// same string from a case). Either part may be empty.
std::string DocumentText(const LabelledText& t);

enum class LabelColumn { kRequired, kIgnored };

// Loads messages from a CSV file. A `text` column is required, `id` and `title` are optional;
// with kRequired a `label` column is required and every row must have a non-empty label.
// Fails with NotFound when the file cannot be read, InvalidArgument on malformed CSV, invalid
// UTF-8, a missing column or an empty label (naming the file and the row).
Result<std::vector<LabelledText>> LoadTextsCsv(const std::string& path, LabelColumn labels);

// Loads taxonomy.csv (level1,level2,level3) as short labelled examples: one per level-2 name and
// one per level-3 name (with its level-2 name), labelled with level 1. Only rows whose level 1 is
// in `keep_labels` are returned (the classifier cannot learn labels it has no messages for).
// Fails like LoadTextsCsv.
Result<std::vector<LabelledText>> LoadTaxonomyExamples(const std::string& path,
                                                       const std::vector<std::string>& keep_labels);

// The distinct labels of `data`, sorted (byte order).
std::vector<std::string> DistinctLabels(const std::vector<LabelledText>& data);

// Assigns each row of `data` to one of `k` folds so that every label is spread evenly (stratified),
// deterministically for a given seed. Returns the fold index of every row. Requires k >= 2.
std::vector<int> StratifiedFolds(const std::vector<LabelledText>& data, int k, std::uint64_t seed);

}  // namespace jiesu::dispatch
