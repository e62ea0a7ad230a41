// `stars stats`: print the statistics of a prepared dataset (its stats.json, after checking that the
// dataset opens: manifest version and every table's header and checksums).
#include <cstdio>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/data/dataset.h"
#include "stars/data/stats_summary.h"

namespace stars::cli {

int run_stats(int argc, char** argv) {
  std::string dir;
  bool json = false, verify = true;
  ArgParser p("stats", "Print the statistics of a prepared dataset (written by stars prepare).");
  p.add("data", &dir, "prepared dataset folder", true);
  p.add_flag("json", &json, "print stats.json as it is");
  p.add_flag("verify", &verify, "check every table's checksum while opening the dataset");
  if (!p.parse(argc, argv)) return 0;
  const auto ds = data::Dataset::open(dir, verify);
  const std::string text = read_text_file(path_join(dir, "stats.json"));
  if (json) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  const auto& info = ds->info();
  std::printf("dataset %s (format version %u, from %s: %s)\n", dir.c_str(), info.version, info.source_format.c_str(),
              info.source_path.c_str());
  std::fputs(data::format_stats_summary(text, path_join(dir, "stats.json")).c_str(), stdout);
  return 0;
}

}  // namespace stars::cli
