// Small file-system helpers of the input readers: directory listing, names and extensions. Torch-free.
#pragma once

#include <string>
#include <vector>

namespace stars::data {

// Names (not paths) of the entries of `dir`, sorted; empty when it cannot be read.
std::vector<std::string> list_directory(const std::string& dir);
// Lower-case extension without the dot ("csv"), "" when none.
std::string file_extension(const std::string& path);
std::string base_name(const std::string& path);
std::string parent_directory(const std::string& path);  // "." for a bare name

}  // namespace stars::data
