// The lines of MODEL/train_log.jsonl, one JSON object per epoch.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace stars::testing {

inline std::vector<nlohmann::json> read_train_log(const std::string& model_dir) {
  std::ifstream f(model_dir + "/train_log.jsonl");
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(f, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace stars::testing
