// Text features for the category classifier: normalisation of citizen messages (full-width forms,
// case, numbers) and tokenisation of Chinese with Latin letters and digits mixed in.
//
// Three tokenizers are available because they were measured against each other
// (docs/dispatch.md): character tokens (each CJK ideograph is a token, each run of Latin letters
// and digits is one token), friso word segmentation (Debian's libfriso, dictionaries from
// /etc/friso/friso.ini) and ICU's dictionary-based word break. A Tokenizer is immutable after
// Create() and thread-safe: friso and ICU keep their per-call state on the stack.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace jiesu::dispatch {

enum class TokenizerKind { kChars, kFriso, kIcu };

// "chars", "friso", "icu".
std::string_view TokenizerName(TokenizerKind kind);
// InvalidArgument for any other name.
Result<TokenizerKind> ParseTokenizerKind(std::string_view name);

// The canonical form every tokenizer starts from: full-width ASCII (U+FF01–FF5E) becomes ASCII,
// the ideographic space a space, ASCII letters lower case, and anything that is neither a letter,
// a digit nor a CJK ideograph (punctuation, symbols, emoji, control characters) a space. Invalid
// UTF-8 bytes are dropped. Never fails.
std::string NormalizeText(std::string_view text);

// A number (a run of ASCII digits) is replaced by this token: phone numbers, dates and house
// numbers say nothing about the category, and one token for all of them keeps the vocabulary small.
inline constexpr std::string_view kNumberToken = "<n>";

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Fails (Unavailable) when the segmenter's dictionaries cannot be loaded (friso without
  // /etc/friso/friso.ini, ICU without its data). kChars never fails.
  static Result<std::unique_ptr<Tokenizer>> Create(TokenizerKind kind);

  virtual TokenizerKind kind() const = 0;
  // Tokens of NormalizeText(text), in order; none contains white space. Thread-safe.
  virtual std::vector<std::string> Tokenize(std::string_view text) const = 0;
};

}  // namespace jiesu::dispatch
