#include "dispatch/training_data.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/csv.hpp"
#include "common/utf8.hpp"

namespace jiesu::dispatch {

namespace {

// SplitMix64: a tiny generator whose sequence is the same on every platform and standard library
// (std::shuffle's is not specified), so folds are reproducible everywhere.
std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Result<std::vector<CsvRow>> ReadCsvFile(const std::string& path) {
  JIESU_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  if (!IsValidUtf8(content)) return Status::Invalid(path + ": not valid UTF-8");
  auto rows = ParseCsv(content);
  if (!rows.ok()) return Status::Invalid(path + ": " + rows.status().message());
  if (rows->empty()) return Status::Invalid(path + ": empty file (a header row is required)");
  return rows;
}

std::string Field(const CsvRow& row, int column) {
  if (column < 0 || static_cast<std::size_t>(column) >= row.size()) return "";
  return std::string(TrimSpace(row[column]));
}

}  // namespace

std::string DocumentText(const LabelledText& t) {
  std::string out = t.title;
  out += '\n';
  out += t.text;
  return out;
}

Result<std::vector<LabelledText>> LoadTextsCsv(const std::string& path, LabelColumn labels) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ReadCsvFile(path));
  const CsvRow& header = rows.front();
  const int id_col = CsvColumn(header, "id");
  const int title_col = CsvColumn(header, "title");
  const int text_col = CsvColumn(header, "text");
  const int label_col = CsvColumn(header, "label");
  if (text_col < 0) return Status::Invalid(path + ": no 'text' column in the header row");
  if (labels == LabelColumn::kRequired && label_col < 0) {
    return Status::Invalid(path + ": no 'label' column in the header row");
  }
  std::vector<LabelledText> out;
  out.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    LabelledText t;
    t.id = Field(rows[r], id_col);
    t.title = Field(rows[r], title_col);
    t.text = Field(rows[r], text_col);
    if (labels == LabelColumn::kRequired) {
      t.label = Field(rows[r], label_col);
      if (t.label.empty()) {
        return Status::Invalid(path + ": record " + std::to_string(r + 1) + " (id '" + t.id +
                               "') has no label");
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<LabelledText>> LoadTaxonomyExamples(
    const std::string& path, const std::vector<std::string>& keep_labels) {
  JIESU_ASSIGN_OR_RETURN(auto rows, ReadCsvFile(path));
  const CsvRow& header = rows.front();
  const int l1 = CsvColumn(header, "level1");
  const int l2 = CsvColumn(header, "level2");
  const int l3 = CsvColumn(header, "level3");
  if (l1 < 0 || l2 < 0) return Status::Invalid(path + ": needs columns level1,level2[,level3]");
  const std::set<std::string> keep(keep_labels.begin(), keep_labels.end());
  std::vector<LabelledText> out;
  std::set<std::pair<std::string, std::string>> seen_level2;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::string label = Field(rows[r], l1);
    const std::string level2 = Field(rows[r], l2);
    const std::string level3 = Field(rows[r], l3);
    if (!keep.count(label) || level2.empty()) continue;
    if (seen_level2.insert({label, level2}).second) {
      out.push_back({"taxonomy:" + std::to_string(r + 1), level2, "", label});
    }
    if (!level3.empty()) {
      out.push_back({"taxonomy:" + std::to_string(r + 1), level3, level2, label});
    }
  }
  return out;
}

std::vector<std::string> DistinctLabels(const std::vector<LabelledText>& data) {
  std::set<std::string> labels;
  for (const auto& t : data) labels.insert(t.label);
  return {labels.begin(), labels.end()};
}

std::vector<int> StratifiedFolds(const std::vector<LabelledText>& data, int k,
                                 std::uint64_t seed) {
  std::map<std::string, std::vector<std::size_t>> by_label;
  for (std::size_t i = 0; i < data.size(); ++i) by_label[data[i].label].push_back(i);
  std::vector<int> fold(data.size(), 0);
  std::uint64_t state = seed;
  int next = 0;  // continue the round-robin across labels so fold sizes stay balanced
  for (auto& [label, rows] : by_label) {
    for (std::size_t i = rows.size(); i > 1; --i) {  // Fisher-Yates
      std::swap(rows[i - 1], rows[SplitMix64(&state) % i]);
    }
    for (std::size_t row : rows) {
      fold[row] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

}  // namespace jiesu::dispatch
