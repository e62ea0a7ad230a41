#include "stars/data/format_detect.h"

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/input_files.h"
#include "stars/data/movielens_reader.h"
#include "stars/data/native_reader.h"
#include "stars/data/sequences_reader.h"
#include "stars/data/tabular_reader.h"

namespace stars::data {

const std::vector<std::string>& input_format_names() {
  static const std::vector<std::string> kNames = {"native", "recbole", "sequences", "amazon", "movielens"};
  return kNames;
}

std::string canonical_format(const std::string& name) {
  const std::string n = to_lower(trim(name));
  if (n == "amazon") return "sequences";
  for (const auto& f : input_format_names())
    if (n == f) return n;
  STARS_THROW(kInvalidArgument, "unknown --format '" << name << "' (expected one of: " << join(input_format_names(), ", ") << ")");
}

DetectedFormat detect_input_format(const std::string& path) {
  if (!file_exists(path)) STARS_THROW(kNotFound, path << ": no such file or folder");
  if (is_directory(path)) {
    MovielensRelease rel;
    if (detect_movielens(path, &rel))
      return {"movielens", rel == MovielensRelease::k100K ? "found u.data (MovieLens 100K)"
                           : rel == MovielensRelease::k1M ? "found ratings.dat (MovieLens 1M)"
                                                          : "found ratings.csv and movies.csv (MovieLens CSV release)"};
    const auto names = list_directory(path);
    for (const auto& n : names)
      if (file_extension(n) == "inter") return {"recbole", "found " + n + " (RecBole atomic files)"};
    const std::string events = find_native_file(path, "events");
    if (!events.empty()) return {"native", "found " + base_name(events) + " (native files)"};
    const std::string seq = find_sequence_file(path);
    if (!seq.empty()) return {"sequences", "found " + base_name(seq) + " (one user per line)"};
    STARS_THROW(kInvalidArgument,
                path << ": cannot tell the input format (files: " << join(names, ", ")
                     << "); expected events.csv/.tsv/.jsonl (native), NAME.inter (recbole), sequences.txt (sequences) "
                        "or u.data / ratings.dat / ratings.csv (movielens); or name it with --format");
  }
  const std::string name = base_name(path), ext = file_extension(path);
  if (name == "u.data" || name == "ratings.dat") return {"movielens", "file " + name + " (MovieLens)"};
  if (ext == "inter") return {"recbole", "file " + name + " (RecBole .inter)"};
  if (is_tabular_extension(path)) return {"native", "file " + name + " (native events file)"};
  if (looks_like_sequences(path)) return {"sequences", "file " + name + " (one user per line)"};
  STARS_THROW(kInvalidArgument, path << ": cannot tell the input format from its name or first lines; expected a "
                                        ".csv/.tsv/.jsonl events file, a .inter file, a sequences file, u.data or "
                                        "ratings.dat; or name it with --format");
}

}  // namespace stars::data
