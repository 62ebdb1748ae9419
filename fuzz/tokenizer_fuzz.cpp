// The classifier's text features (dispatch/text_features.hpp) on arbitrary bytes: NormalizeText
// and the three tokenizers (characters, friso, ICU word break), which see every case's title and
// text; then the catalogue's keyword classifier. Normalised text is UTF-8, idempotent, single-
// spaced; tokens are non-empty UTF-8 without white space; predictions are probabilities, best
// first.
#include "dispatch/classifier.hpp"
#include "dispatch/text_features.hpp"
#include "fuzz_support.hpp"

using namespace jiesu;

namespace {

const std::vector<std::unique_ptr<dispatch::Tokenizer>>& Tokenizers() {
  static const auto* const tokenizers = [] {
    auto* out = new std::vector<std::unique_ptr<dispatch::Tokenizer>>;
    for (auto kind : {dispatch::TokenizerKind::kChars, dispatch::TokenizerKind::kFriso,
                      dispatch::TokenizerKind::kIcu}) {
      out->push_back(fuzz::Must(dispatch::Tokenizer::Create(kind), "tokenizer"));
    }
    return out;
  }();
  return *tokenizers;
}

const dispatch::KeywordClassifier& Keywords() {
  static const auto* const keywords =
      new dispatch::KeywordClassifier(fuzz::TheWorld().ref.catalogue);
  return *keywords;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Tokenizers();
  (void)Keywords();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  const std::string normal = dispatch::NormalizeText(text);
  JIESU_FUZZ_CHECK(IsValidUtf8(normal));
  JIESU_FUZZ_CHECK(dispatch::NormalizeText(normal) == normal);
  JIESU_FUZZ_CHECK(normal.empty() || (normal.front() != ' ' && normal.back() != ' '));
  JIESU_FUZZ_CHECK(normal.find("  ") == std::string::npos);

  for (const auto& tokenizer : Tokenizers()) {
    for (const std::string& token : tokenizer->Tokenize(text)) {
      JIESU_FUZZ_CHECK(!token.empty());
      JIESU_FUZZ_CHECK(IsValidUtf8(token));
      JIESU_FUZZ_CHECK(token.find_first_of(" \t\r\n") == std::string::npos);
    }
  }

  const auto predictions = Keywords().Predict(text, 3);
  JIESU_FUZZ_CHECK(predictions.size() <= 3);
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    JIESU_FUZZ_CHECK(predictions[i].probability >= 0 && predictions[i].probability <= 1);
    JIESU_FUZZ_CHECK(fuzz::TheWorld().ref.catalogue.Find(predictions[i].code) != nullptr);
    if (i > 0) JIESU_FUZZ_CHECK(predictions[i].probability <= predictions[i - 1].probability);
  }
  return 0;
}
