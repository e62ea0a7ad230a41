// Reads a model's JSONL training log (one JSON object per epoch, written by `stars train`) into numeric
// series for the report's training curves: every number, boolean or nested number becomes a field
// ("valid.ndcg@10" for nested objects). Lines that are not JSON objects are skipped with a warning, so a
// log cut off by an interrupted run still plots. Torch-free.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace stars::eval {

std::vector<std::map<std::string, double>> read_training_log(const std::string& path);

// The training log of a model directory: the first of train_log.jsonl, training_log.jsonl, log.jsonl
// that exists, or "" when none does.
std::string find_training_log(const std::string& model_dir);

}  // namespace stars::eval
