// Whether users come back to items they already have: the repeat rate of a set of events, and the rule that
// turns it into the default of "exclude the user's history when ranking". On review data (Amazon, MovieLens)
// nobody reviews an item twice, so ranking history items only pushes the right answer down; on grocery
// data repeats are most of the basket and must stay rankable. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::data {

class Dataset;

// Share of the masked-in events (mask[e] != 0, one byte per event) that repeat an item the same user had in
// an earlier masked-in event; a user's first such event is not counted. 0 when nothing can repeat.
double repeat_rate(const Dataset& ds, const std::vector<uint8_t>& mask);

// Repeat rates below this make "auto" exclude history items from full-catalog rankings.
constexpr double kExcludeHistoryMaxRepeatRate = 0.01;

// Resolves an exclude_history setting: "true", "false", or "auto" (true when `rate` is below
// kExcludeHistoryMaxRepeatRate). Throws kInvalidArgument naming `field` for anything else.
bool resolve_exclude_history(const std::string& setting, double rate, const std::string& field);

// Checks that `setting` is auto, true or false, naming `field`.
void check_exclude_history(const std::string& setting, const std::string& field);

}  // namespace stars::data
