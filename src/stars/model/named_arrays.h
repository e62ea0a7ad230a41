// Named float arrays with shapes (network weights, optimizer moments) stored in one STARS table file, so
// that weights and checkpoints use the project's checked binary container and stay readable without torch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stars::model {

struct NamedArray {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major, product(shape) values
};

struct NamedArrays {
  std::vector<NamedArray> arrays;
  std::map<std::string, std::string> meta;  // small key/value state (step counters, hashes)

  const NamedArray* find(const std::string& name) const;
};

// Writes atomically as a table of kind `kind`.
void write_named_arrays(const std::string& path, const std::string& kind, const NamedArrays& arrays);
// Reads and checks a table written by write_named_arrays; errors name the file and what was expected.
NamedArrays read_named_arrays(const std::string& path, const std::string& kind);

}  // namespace stars::model
