// Small parsers of field values shared by the readers: booleans, `|`/`>` lists, calendar flags. Torch-free.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stars::data {

// 1/0, true/false, yes/no, y/n, t/f (case-insensitive); empty -> `fallback`. False when none of these.
bool parse_bool(std::string_view s, bool fallback, bool* out);
// Splits on `sep`, trims each part and drops empty parts.
std::vector<std::string> split_list(std::string_view s, char sep);
// A calendar cell marks its event active unless it is empty, a zero number, false, no, n or f.
bool is_active_flag(std::string_view s);
// A category path in any of the forms found in the wild: `'Beauty', 'Makeup', 'Nails'` (a Python-style
// list, optionally in [...]; an item closes at a quote followed by a comma or the end, so `'Women's'`
// stays one entry), `A > B > C`, `A, B, C`, or space-separated tokens (RecBole token_seq).
std::vector<std::string> parse_category_path(std::string_view s);

}  // namespace stars::data
