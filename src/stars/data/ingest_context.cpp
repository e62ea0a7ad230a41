#include "stars/data/ingest_context.h"

#include <nlohmann/json.hpp>

namespace stars::data {

std::string IngestReport::to_json() const {
  nlohmann::json j;
  j["format"] = format;
  j["input"] = input;
  nlohmann::json fs = nlohmann::json::array();
  for (const auto& f : files) fs.push_back({{"path", f.path}, {"role", f.role}, {"rows", f.rows}, {"kept", f.kept}});
  j["files"] = fs;
  j["notes"] = notes;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TabularOptions IngestContext::tabular_options() const {
  TabularOptions t;
  t.delimiter = options.delimiter_char();
  t.check_utf8 = options.check_utf8;
  for (const auto& [native, file_col] : options.columns) t.renames[file_col] = native;
  return t;
}

}  // namespace stars::data
