#include "dispatch/text_features.hpp"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <filesystem>
#include <mutex>

extern "C" {
#include <friso.h>
}

namespace jiesu::dispatch {

namespace {

constexpr char kFrisoIni[] = "/etc/friso/friso.ini";

// Decodes one code point at s[*i] and advances; returns -1 (and skips a byte) on malformed input.
int32_t NextCodePoint(std::string_view s, std::size_t* i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(*i);
  int n = 0;
  int32_t cp = 0;
  if (c < 0x80) {
    ++*i;
    return c;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    ++*i;
    return -1;
  }
  if (*i + n > s.size()) {
    ++*i;
    return -1;
  }
  for (int k = 1; k < n; ++k) {
    const unsigned char b = byte(*i + k);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlongs and surrogates are malformed too.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*i;
    return -1;
  }
  *i += n;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

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
    const std::string norm = NormalizeText(text);
    std::vector<std::string> out;
    std::string run;
    std::size_t i = 0;
    while (i < norm.size()) {
      const std::size_t start = i;
      const int32_t cp = NextCodePoint(norm, &i);
      if (cp == ' ') {
        PushToken(std::move(run), &out);
        run.clear();
      } else if (IsSyllabic(cp)) {
        PushToken(std::move(run), &out);
        run.clear();
        out.emplace_back(norm.substr(start, i - start));
      } else {
        run.append(norm, start, i - start);
      }
    }
    PushToken(std::move(run), &out);
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
      std::string word(task->token->word);
      if (word.find(' ') != std::string::npos) continue;
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
  std::string out;
  out.reserve(text.size());
  bool space = true;  // no leading space
  std::size_t i = 0;
  while (i < text.size()) {
    int32_t cp = NextCodePoint(text, &i);
    if (cp < 0) continue;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    if (IsAsciiAlnum(cp) || IsSyllabic(cp) || IsOtherLetter(cp)) {
      AppendUtf8(cp, &out);
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
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
