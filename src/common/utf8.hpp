// UTF-8 helpers for text that comes from outside (bodies, CSV, query strings). Pure functions,
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace jiesu {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of code points in well-formed UTF-8.
std::size_t Utf8Length(std::string_view s);
// The longest prefix of at most `max_chars` code points, never cutting a character.
std::string_view Utf8Prefix(std::string_view s, std::size_t max_chars);
// Code points of `s`; each byte of an ill-formed sequence becomes U+FFFD.
std::u32string DecodeUtf8(std::string_view s);
// UTF-8 of `s` (code points are not checked).
std::string EncodeUtf8(std::u32string_view s);
// The one rule for free text from outside (case text, titles, names, notes, queries): Invalid,
// naming `field`, when `value` is longer than `max_chars` code points or holds a control character
// other than tab, line feed and carriage return (NUL included). `value` must be valid UTF-8.
Status CheckText(std::string_view value, const char* field, std::size_t max_chars);
// Trims ASCII and ideographic (U+3000) white space at both ends.
std::string_view TrimSpace(std::string_view s);

}  // namespace jiesu
