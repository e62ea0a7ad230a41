#include "stars/model/named_arrays.h"

#include "stars/core/error.h"
#include "stars/core/table_file.h"

namespace stars::model {

namespace {
constexpr uint32_t kNamedArraysVersion = 1;
}

const NamedArray* NamedArrays::find(const std::string& name) const {
  for (const auto& a : arrays)
    if (a.name == name) return &a;
  return nullptr;
}

void write_named_arrays(const std::string& path, const std::string& kind, const NamedArrays& na) {
  TableWriter w(kind, kNamedArraysVersion);
  std::vector<std::string> names;
  std::vector<uint64_t> shape_off{0};
  std::vector<int64_t> shape_val;
  for (size_t i = 0; i < na.arrays.size(); ++i) {
    const auto& a = na.arrays[i];
    int64_t n = 1;
    for (int64_t d : a.shape) n *= d;
    STARS_CHECK(n == static_cast<int64_t>(a.data.size()), "array " << a.name << " has " << a.data.size() << " values for its shape");
    names.push_back(a.name);
    shape_val.insert(shape_val.end(), a.shape.begin(), a.shape.end());
    shape_off.push_back(shape_val.size());
    w.add_column("data." + std::to_string(i), a.data);
  }
  w.add_strings("names", names);
  w.add_lists("shapes", shape_off, shape_val);
  std::vector<std::string> keys, values;
  for (const auto& kv : na.meta) {
    keys.push_back(kv.first);
    values.push_back(kv.second);
  }
  w.add_strings("state.keys", keys);
  w.add_strings("state.values", values);
  w.write(path);
}

NamedArrays read_named_arrays(const std::string& path, const std::string& kind) {
  TableReader r(path, kind, kNamedArraysVersion);
  NamedArrays na;
  const auto names = r.strings("names");
  auto off = r.column<uint64_t>("shapes.offsets");
  auto val = r.column<int64_t>("shapes.values");
  STARS_CHECK_DATA(off.size() == names.size() + 1 && off.back() == val.size(), path << ": shape lists do not match the names");
  for (size_t i = 0; i < names.size(); ++i) {
    NamedArray a;
    a.name = names[i];
    STARS_CHECK_DATA(off[i] <= off[i + 1], path << ": shape offsets decrease at array " << a.name);
    a.shape.assign(val.begin() + off[i], val.begin() + off[i + 1]);
    int64_t n = 1;
    for (int64_t d : a.shape) {
      STARS_CHECK_DATA(d >= 0, path << ": array " << a.name << " has a negative dimension");
      n *= d;
    }
    auto data = r.column<float>("data." + std::to_string(i));
    STARS_CHECK_DATA(static_cast<int64_t>(data.size()) == n,
                     path << ": array " << a.name << " has " << data.size() << " values, its shape needs " << n);
    a.data.assign(data.begin(), data.end());
    na.arrays.push_back(std::move(a));
  }
  const auto keys = r.strings("state.keys"), values = r.strings("state.values");
  STARS_CHECK_DATA(keys.size() == values.size(), path << ": state keys/values differ in length");
  for (size_t i = 0; i < keys.size(); ++i) na.meta[keys[i]] = values[i];
  return na;
}

}  // namespace stars::model
