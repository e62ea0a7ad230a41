// Small string helpers used across modules: splitting, trimming, strict number parsing, UTF-8 checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stars {

std::vector<std::string_view> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);

// Strict parsers: the whole (trimmed) text must be a number. Return false otherwise.
bool parse_int64(std::string_view s, int64_t* out);
bool parse_double(std::string_view s, double* out);

// True if `s` is valid UTF-8 (no overlongs, no surrogates, max U+10FFFF). On failure, `*bad_offset`
// receives the byte offset of the first invalid sequence.
bool is_valid_utf8(std::string_view s, size_t* bad_offset = nullptr);
// Converts Latin-1 bytes to UTF-8 (used for MovieLens files).
std::string latin1_to_utf8(std::string_view s);

// Escapes a string for inclusion inside a JSON string literal (no surrounding quotes).
std::string json_escape(std::string_view s);

// Formats a count with thousands separators: 1234567 -> "1,234,567".
std::string format_count(uint64_t n);

}  // namespace stars
