// The tag vocabularies shipped in resources/tags/, compiled into the program by CMake
// (src/stars/semantics/CMakeLists.txt generates the definition), so `stars enrich` finds them wherever it
// is installed. Torch-free.
#pragma once

#include <vector>

namespace stars::semantics::detail {

struct BuiltinVocabulary {
  const char* name;  // file name without ".tags"
  const char* text;  // file content
};

const std::vector<BuiltinVocabulary>& builtin_vocabularies();

}  // namespace stars::semantics::detail
