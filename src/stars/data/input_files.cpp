#include "stars/data/input_files.h"

#include <dirent.h>

#include <algorithm>

#include "stars/core/strings.h"

namespace stars::data {

std::vector<std::string> list_directory(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string base_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string parent_directory(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const auto slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string file_extension(const std::string& path) {
  const std::string b = base_name(path);
  const auto dot = b.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? std::string() : to_lower(b.substr(dot + 1));
}

}  // namespace stars::data
