#include "stars/data/reader_options.h"

#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/dataset.h"

namespace stars::data {

void ReaderOptions::validate() const {
  delimiter_char();
  STARS_CHECK_ARG(min_rating >= 0, "min_rating must be >= 0, got " << min_rating);
  STARS_CHECK_ARG(threads >= 0 && threads <= 2, "threads must be 0 (auto), 1 or 2, got " << threads);
  for (const auto& [name, target] : event_map)
    STARS_CHECK_ARG(target == "ignore" || parse_event_type(target).has_value(),
                    "event_map." << name << " must be view, cart, purchase, interaction or ignore, got '" << target << "'");
  for (const auto& [name, type] : user_types)
    STARS_CHECK_ARG(type == "numeric" || type == "categorical",
                    "user_types." << name << " must be numeric or categorical, got '" << type << "'");
}

char ReaderOptions::delimiter_char() const {
  if (delimiter.empty()) return 0;
  if (delimiter == "tab" || delimiter == "\\t" || delimiter == "\t") return '\t';
  STARS_CHECK_ARG(delimiter.size() == 1 && delimiter[0] != '"' && delimiter[0] != '\n' && delimiter[0] != '\r',
                  "delimiter must be one character (or 'tab') other than a quote or newline, got '" << delimiter << "'");
  return delimiter[0];
}

bool ReaderOptions::apply_map_set(const std::string& key, const std::string& value) {
  auto suffix = [&](const std::string& prefix) -> std::string {
    if (!starts_with(key, prefix)) return {};
    STARS_CHECK_ARG(key.size() > prefix.size(), "--set " << key << ": expected " << prefix << "NAME=value");
    return key.substr(prefix.size());
  };
  std::string name;
  if (!(name = suffix("event_map.")).empty()) {
    const std::string v = to_lower(trim(value));
    STARS_CHECK_ARG(v == "ignore" || parse_event_type(v).has_value(),
                    "--set " << key << ": expected view, cart, purchase, interaction or ignore, got '" << value << "'");
    event_map[to_lower(trim(name))] = v;
    return true;
  }
  if (!(name = suffix("user_types.")).empty()) {
    const std::string v = to_lower(trim(value));
    STARS_CHECK_ARG(v == "numeric" || v == "categorical",
                    "--set " << key << ": expected numeric or categorical, got '" << value << "'");
    user_types[name] = v;
    return true;
  }
  if (!(name = suffix("column.")).empty()) {
    STARS_CHECK_ARG(!value.empty(), "--set " << key << ": expected the column name used in the file");
    columns[name] = value;
    return true;
  }
  return false;
}

std::string ReaderOptions::maps_to_json() const {
  nlohmann::json j;
  j["event_map"] = event_map;
  j["user_types"] = user_types;
  j["column"] = columns;
  return j.dump();
}

}  // namespace stars::data
