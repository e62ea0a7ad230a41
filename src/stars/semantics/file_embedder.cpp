#include "stars/semantics/file_embedder.h"

#include <cmath>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/npy.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/semantics/detail/json_reply.h"
#include "stars/semantics/item_text.h"

namespace stars::semantics {
namespace {

// Splits one CSV/TSV line; fields may be quoted with '"' ("" inside quotes is a quote).
std::vector<std::string> split_delimited(std::string_view line, char sep) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// Calls fn(line, "path:N") for every non-blank line of a text file.
template <class F>
void for_each_line(const std::string& path, F&& fn) {
  const std::string text = read_text_file(path);
  int line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (!trim(line).empty()) fn(line, path + ":" + std::to_string(line_no));
  }
}

void check_dim(KeyedVectors& kv, size_t n, const std::string& where) {
  STARS_CHECK_ARG(n > 0, where << ": a vector needs at least one value");
  if (kv.dim == 0) kv.dim = static_cast<int>(n);
  STARS_CHECK_ARG(n == static_cast<size_t>(kv.dim), where << ": vector has " << n << " values, expected " << kv.dim
                                                          << " like the first row");
}

void push_value(KeyedVectors& kv, double v, const std::string& where, size_t column) {
  STARS_CHECK_ARG(std::isfinite(v), where << ": value " << column << " is not a finite number");
  kv.values.push_back(static_cast<float>(v));
}

KeyedVectors read_npy(const FileVectorsConfig& c) {
  std::string ids_path = c.ids_path;
  if (ids_path.empty()) {
    const std::string stem = c.path.substr(0, c.path.size() - 4);
    ids_path = file_exists(stem + ".ids.txt") ? stem + ".ids.txt" : c.path + ".ids.txt";
  }
  STARS_CHECK_ARG(file_exists(ids_path), c.path << ": a .npy file needs its raw item ids, one per line, in "
                                                << ids_path << " (or set embed.file.ids_path)");
  const NpyArray a = read_npy_f32(c.path);
  STARS_CHECK_ARG(a.shape.size() == 2, c.path << ": expected a 2-D array (items, dim), got " << a.shape.size() << " dimensions");
  KeyedVectors kv;
  const std::string ids_text = read_text_file(ids_path);
  for (std::string_view line : split(ids_text, '\n')) {
    line = trim(line);
    if (!line.empty()) kv.ids.emplace_back(line);
  }
  STARS_CHECK_ARG(kv.ids.size() == a.shape[0], ids_path << " lists " << kv.ids.size() << " ids but " << c.path << " has "
                                                        << a.shape[0] << " rows");
  kv.dim = static_cast<int>(a.shape[1]);
  STARS_CHECK_ARG(kv.dim > 0, c.path << ": vectors have dimension 0");
  for (size_t r = 0; r < a.shape[0]; ++r)
    for (int j = 0; j < kv.dim; ++j)
      STARS_CHECK_ARG(std::isfinite(a.data[r * kv.dim + j]),
                      c.path << ": row " << r << " (item " << kv.ids[r] << ") value " << j << " is not a finite number");
  kv.values = a.data;
  return kv;
}

// Appends a JSON list of numbers as one vector.
void push_json_vector(KeyedVectors& kv, const nlohmann::json& arr, const std::string& where) {
  STARS_CHECK_ARG(arr.is_array(), where << ": the vector is not a list");
  check_dim(kv, arr.size(), where);
  for (size_t j = 0; j < arr.size(); ++j) {
    STARS_CHECK_ARG(arr[j].is_number(), where << ": value " << j << " is not a number (NaN is not allowed)");
    push_value(kv, arr[j].get<double>(), where, j);
  }
}

KeyedVectors read_csv(const FileVectorsConfig& c, char sep) {
  KeyedVectors kv;
  for_each_line(c.path, [&](std::string_view line, const std::string& where) {
    std::vector<std::string> f = split_delimited(line, sep);
    STARS_CHECK_ARG(f.size() >= 2, where << ": expected item_id then the vector's values, got " << f.size() << " field");
    double probe = 0;
    const std::string second(trim(f[1]));
    if (kv.ids.empty() && kv.dim == 0 && !(second.size() > 0 && second[0] == '[') && !parse_double(second, &probe))
      return;  // a header row
    kv.ids.emplace_back(trim(f[0]));
    STARS_CHECK_ARG(!kv.ids.back().empty(), where << ": empty item id");
    if (f.size() == 2 && !second.empty() && second[0] == '[') {
      push_json_vector(kv, detail::parse_json(second, where + ": the vector field", ErrorCode::kInvalidArgument), where);
    } else {
      check_dim(kv, f.size() - 1, where);
      for (size_t j = 1; j < f.size(); ++j) {
        double v = 0;
        STARS_CHECK_ARG(parse_double(f[j], &v) || to_lower(trim(f[j])) == "nan",
                        where << ": value " << j - 1 << " ('" << f[j] << "') is not a number");
        if (to_lower(trim(f[j])) == "nan") v = std::nan("");
        push_value(kv, v, where, j - 1);
      }
    }
  });
  return kv;
}

KeyedVectors read_jsonl(const FileVectorsConfig& c) {
  KeyedVectors kv;
  for_each_line(c.path, [&](std::string_view line, const std::string& where) {
    const nlohmann::json obj = detail::parse_json(line, where, ErrorCode::kInvalidArgument);
    STARS_CHECK_ARG(obj.is_object(), where << ": expected a JSON object");
    const char* id_key = obj.contains("item_id") ? "item_id" : "id";
    STARS_CHECK_ARG(obj.contains(id_key), where << ": no \"item_id\" (or \"id\") key");
    const auto& id = obj[id_key];
    STARS_CHECK_ARG(id.is_string() || id.is_number_integer(), where << ": \"" << id_key << "\" must be a string or an integer");
    kv.ids.push_back(id.is_string() ? id.get<std::string>() : std::to_string(id.get<int64_t>()));
    const char* vec_key = obj.contains("vector") ? "vector" : "embedding";
    STARS_CHECK_ARG(obj.contains(vec_key) && obj[vec_key].is_array(), where << ": no \"vector\" (or \"embedding\") list");
    push_json_vector(kv, obj[vec_key], where);
  });
  return kv;
}

}  // namespace

KeyedVectors read_keyed_vectors(const FileVectorsConfig& c) {
  STARS_CHECK_ARG(!c.path.empty(), "embed.file.path is empty");
  STARS_CHECK_ARG(file_exists(c.path), "embed.file.path: " << c.path << " does not exist");
  const std::string lower = to_lower(c.path);
  KeyedVectors kv;
  if (ends_with(lower, ".npy")) kv = read_npy(c);
  else if (ends_with(lower, ".csv")) kv = read_csv(c, ',');
  else if (ends_with(lower, ".tsv")) kv = read_csv(c, '\t');
  else if (ends_with(lower, ".jsonl")) kv = read_jsonl(c);
  else STARS_THROW(kInvalidArgument, "embed.file.path: " << c.path << " must end in .npy, .csv, .tsv or .jsonl");
  STARS_CHECK_ARG(!kv.ids.empty(), c.path << ": no vectors");
  std::unordered_map<std::string, size_t> seen;
  for (size_t r = 0; r < kv.ids.size(); ++r) {
    auto [it, added] = seen.emplace(kv.ids[r], r);
    STARS_CHECK_ARG(added, c.path << ": item id '" << kv.ids[r] << "' appears twice (rows " << it->second << " and " << r << ")");
  }
  return kv;
}

FileEmbedder::FileEmbedder(KeyedVectors vectors, const FileVectorsConfig& config)
    : vectors_(std::move(vectors)), config_(config) {
  for (size_t r = 0; r < vectors_.ids.size(); ++r) row_of_.emplace(vectors_.ids[r], r);
  const uint64_t h = checksum64(vectors_.values.data(), vectors_.values.size() * sizeof(float));
  std::string base = config_.path.substr(config_.path.find_last_of('/') == std::string::npos ? 0 : config_.path.find_last_of('/') + 1);
  model_ = "file:" + base + "#" + hash_hex(h).substr(0, 8);
}

void FileEmbedder::embed(const std::vector<const ItemText*>& items, float* out) {
  const int d = vectors_.dim;
  std::vector<std::string> missing;
  for (size_t i = 0; i < items.size(); ++i) {
    float* row = out + i * d;
    auto it = row_of_.find(items[i]->raw_id);
    if (it == row_of_.end()) {
      std::fill(row, row + d, 0.0f);
      missing.push_back(items[i]->raw_id);
      continue;
    }
    std::copy(vectors_.values.begin() + it->second * d, vectors_.values.begin() + (it->second + 1) * d, row);
    l2_normalize(row, d);
  }
  missing_ += static_cast<int64_t>(missing.size());
  if (!missing.empty() && !config_.allow_missing) {
    std::vector<std::string> shown(missing.begin(), missing.begin() + std::min<size_t>(missing.size(), 5));
    STARS_THROW(kInvalidArgument, config_.path << " has no vector for " << missing.size() << " of " << items.size()
                                               << " items (e.g. " << join(shown, ", ")
                                               << "); add them or set embed.file.allow_missing=true to give them zeros");
  }
}

}  // namespace stars::semantics
