// Which reader a `stars prepare --input PATH` needs, from the names and first lines of the files.
// Formats: native, recbole, sequences (alias amazon), movielens. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace stars::data {

const std::vector<std::string>& input_format_names();

struct DetectedFormat {
  std::string format;  // one of input_format_names() (never "amazon")
  std::string reason;  // "found u.data", ...
};

// Detects the format of a file or folder. Throws Error(kNotFound) when PATH does not exist and
// Error(kInvalidArgument) listing what was looked for when nothing matches.
DetectedFormat detect_input_format(const std::string& path);
// Validates a --format value ("amazon" -> "sequences"); throws Error(kInvalidArgument) listing the names.
std::string canonical_format(const std::string& name);

}  // namespace stars::data
