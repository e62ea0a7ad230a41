// metrics.json: the documented, versioned output of `stars eval` (schema in docs/EVAL.md). Writing and
// reading round-trip every field of EvalResults; NaN interval bounds are written as null. Readers reject
// another schema name or a newer schema version with a message naming the file. Torch-free.
#pragma once

#include <string>

#include "stars/eval/results.h"

namespace stars::eval {

std::string results_to_json(const EvalResults& results);
EvalResults results_from_json(const std::string& text, const std::string& where);

void write_metrics_json(const std::string& path, const EvalResults& results);
// Reads a metrics.json file, or DIR/metrics.json when `path` is a directory.
EvalResults read_metrics_json(const std::string& path);

}  // namespace stars::eval
