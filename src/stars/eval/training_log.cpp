#include "stars/eval/training_log.h"

#include <nlohmann/json.hpp>

#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"

namespace stars::eval {

namespace {
void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, double>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const auto& v = it.value();
    if (v.is_number()) out[key] = v.get<double>();
    else if (v.is_boolean()) out[key] = v.get<bool>() ? 1.0 : 0.0;
    else if (v.is_object()) flatten(v, key, out);
  }
}
}  // namespace

std::vector<std::map<std::string, double>> read_training_log(const std::string& path) {
  std::vector<std::map<std::string, double>> out;
  const std::string text = read_text_file(path);
  size_t line_no = 0, skipped = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++skipped;
      continue;
    }
    std::map<std::string, double> rec;
    flatten(j, "", rec);
    out.push_back(std::move(rec));
  }
  if (skipped) STARS_WARN(path << ": skipped " << skipped << " of " << line_no << " lines that are not JSON objects");
  return out;
}

std::string find_training_log(const std::string& model_dir) {
  for (const char* name : {"train_log.jsonl", "training_log.jsonl", "log.jsonl"}) {
    const std::string p = path_join(model_dir, name);
    if (file_exists(p)) return p;
  }
  return "";
}

}  // namespace stars::eval
