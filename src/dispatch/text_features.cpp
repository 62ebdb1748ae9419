#include "dispatch/text_features.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "common/utf8.hpp"

extern "C" {
#include <friso.h>
}

namespace jiesu::dispatch {

namespace {

constexpr char kFrisoIni[] = "/etc/friso/friso.ini";

bool IsIdeograph(int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) || cp == 0x3007;
}

// Scripts written one character at a time, like ideographs: each character is a token.
bool IsSyllabic(int32_t cp) {
  return IsIdeograph(cp) || (cp >= 0x3041 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

bool IsAsciiAlnum(int32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
}

// Letters of alphabetic scripts other than ASCII (accented Latin, Greek, Cyrillic).
bool IsOtherLetter(int32_t cp) {
  return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x370 && cp <= 0x4FF);
}

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void PushToken(std::string token, std::vector<std::string>* out) {
  if (token.empty()) return;
  if (IsAllDigits(token)) token = kNumberToken;
  out->push_back(std::move(token));
}

class CharTokenizer final : public Tokenizer {
 public:
  TokenizerKind kind() const override { return TokenizerKind::kChars; }

  std::vector<std::string> Tokenize(std::string_view text) const override {
    std::vector<std::string> out;
    std::u32string run;
    for (const char32_t cp : DecodeUtf8(NormalizeText(text))) {
      if (cp == U' ') {
        PushToken(EncodeUtf8(run), &out);
        run.clear();
      } else if (IsSyllabic(static_cast<int32_t>(cp))) {
        PushToken(EncodeUtf8(run), &out);
        run.clear();
        out.push_back(EncodeUtf8(std::u32string_view(&cp, 1)));
      } else {
        run.push_back(cp);
      }
    }
    PushToken(EncodeUtf8(run), &out);
    return out;
  }
};

// friso keeps its dictionary in one friso_t shared by all tasks; a task (the cursor over one
// text) is created per call, so concurrent calls do not share mutable state.
class FrisoTokenizer final : public Tokenizer {
 public:
  FrisoTokenizer(friso_t friso, friso_config_t config) : friso_(friso), config_(config) {}
  FrisoTokenizer(const FrisoTokenizer&) = delete;
  FrisoTokenizer& operator=(const FrisoTokenizer&) = delete;
  ~FrisoTokenizer() override {
    friso_free(friso_);
    free(config_);  // friso_new_config() mallocs; friso has no free function for it
  }

  TokenizerKind kind() const override { return TokenizerKind::kFriso; }

  std::vector<std::string> Tokenize(std::string_view text) const override {
    std::string norm = NormalizeText(text);
    std::vector<std::string> out;
    if (norm.empty()) return out;
    friso_task_t task = friso_new_task();
    friso_set_text(task, norm.data());
    while (config_->next_token(friso_, config_, task) != nullptr) {
      // friso fills word[64] without a terminating NUL when the token is that long (a run of
      // digits): read no further, and drop what that cut leaves invalid.
      const char* w = task->token->word;
      std::string word(w, strnlen(w, sizeof task->token->word));
      if (word.find(' ') != std::string::npos || !IsValidUtf8(word)) continue;
      PushToken(std::move(word), &out);
    }
    friso_free_task(task);
    return out;
  }

 private:
  friso_t friso_;
  friso_config_t config_;
};

class IcuTokenizer final : public Tokenizer {
 public:
  explicit IcuTokenizer(std::unique_ptr<icu::BreakIterator> prototype)
      : prototype_(std::move(prototype)) {}

  TokenizerKind kind() const override { return TokenizerKind::kIcu; }

  std::vector<std::string> Tokenize(std::string_view text) const override {
    const std::string norm = NormalizeText(text);
    std::vector<std::string> out;
    if (norm.empty()) return out;
    // BreakIterator is stateful; a clone per call keeps Tokenize thread-safe.
    std::unique_ptr<icu::BreakIterator> it(prototype_->clone());
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(norm);
    it->setText(u);
    int32_t start = it->first();
    for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
      if (it->getRuleStatus() < UBRK_WORD_NONE_LIMIT) continue;  // spaces
      std::string word;
      u.tempSubStringBetween(start, end).toUTF8String(word);
      PushToken(std::move(word), &out);
    }
    return out;
  }

 private:
  std::unique_ptr<icu::BreakIterator> prototype_;
};

Result<std::unique_ptr<Tokenizer>> CreateFriso() {
  std::error_code ec;
  if (!std::filesystem::exists(kFrisoIni, ec)) {
    return Status::Unavailable(std::string("friso: ") + kFrisoIni +
                               " not found (install the friso and friso-dict packages)");
  }
  friso_t friso = friso_new();
  friso_config_t config = friso_new_config();
  // friso_init_from_ifile takes a non-const char*.
  std::string ini = kFrisoIni;
  if (friso_init_from_ifile(friso, config, ini.data()) != 1) {
    friso_free(friso);
    free(config);
    return Status::Unavailable(std::string("friso: cannot initialise from ") + kFrisoIni);
  }
  // Synonyms would add words the text does not contain; stop words are left to the classifier.
  config->add_syn = 0;
  config->clr_stw = 0;
  friso_set_mode(config, __FRISO_COMPLEX_MODE__);
  return std::unique_ptr<Tokenizer>(std::make_unique<FrisoTokenizer>(friso, config));
}

Result<std::unique_ptr<Tokenizer>> CreateIcu() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
  if (U_FAILURE(status) || !it) {
    return Status::Unavailable(std::string("ICU word break: ") + u_errorName(status));
  }
  return std::unique_ptr<Tokenizer>(std::make_unique<IcuTokenizer>(std::move(it)));
}

}  // namespace

std::string_view TokenizerName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kChars:
      return "chars";
    case TokenizerKind::kFriso:
      return "friso";
    case TokenizerKind::kIcu:
      return "icu";
  }
  return "chars";
}

Result<TokenizerKind> ParseTokenizerKind(std::string_view name) {
  for (TokenizerKind k : {TokenizerKind::kChars, TokenizerKind::kFriso, TokenizerKind::kIcu}) {
    if (TokenizerName(k) == name) return k;
  }
  return Status::Invalid("unknown tokenizer '" + std::string(name) + "' (chars, friso, icu)");
}

std::string NormalizeText(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  bool space = true;  // no leading space
  for (char32_t c : DecodeUtf8(text)) {
    if (c == 0xFFFD) continue;  // an invalid byte
    auto cp = static_cast<int32_t>(c);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    if (IsAsciiAlnum(cp) || IsSyllabic(cp) || IsOtherLetter(cp)) {
      out.push_back(static_cast<char32_t>(cp));
      space = false;
    } else if (!space) {
      out.push_back(U' ');
      space = true;
    }
  }
  if (!out.empty() && out.back() == U' ') out.pop_back();
  return EncodeUtf8(out);
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::Create(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kChars:
      return std::unique_ptr<Tokenizer>(std::make_unique<CharTokenizer>());
    case TokenizerKind::kFriso: {
      // friso's initialisation is not documented as reentrant.
      static std::mutex mu;
      std::lock_guard<std::mutex> lock(mu);
      return CreateFriso();
    }
    case TokenizerKind::kIcu:
      return CreateIcu();
  }
  return Status::Invalid("unknown tokenizer");
}

}  // namespace jiesu::dispatch
