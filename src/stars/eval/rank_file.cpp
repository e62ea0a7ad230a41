#include "stars/eval/rank_file.h"

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"

namespace stars::eval {

void write_rank_file(const std::string& path, const std::vector<RunRanks>& runs) {
  TableWriter w("eval_ranks", kRankFileVersion);
  w.set_meta("runs", std::to_string(runs.size()));
  for (size_t r = 0; r < runs.size(); ++r) {
    const std::string p = "r" + std::to_string(r);
    const auto& run = runs[r];
    w.set_meta(p + ".protocol", run.protocol);
    w.set_meta(p + ".split", run.split);
    w.set_meta(p + ".query_hash", run.query_hash);
    w.set_meta(p + ".columns", std::to_string(run.ranks.size()));
    w.add_column(p + ".users", run.users);
    size_t c = 0;
    for (const auto& [name, ranks] : run.ranks) {
      STARS_CHECK(ranks.size() == run.users.size(), "ranks of " << name << " have " << ranks.size() << " queries, expected " << run.users.size());
      const std::string col = p + ".c" + std::to_string(c++);
      w.set_meta(col, name);
      w.add_column(col, ranks);
    }
  }
  w.write(path);
}

std::vector<RunRanks> read_rank_file(const std::string& path) {
  const std::string file = is_directory(path) ? path_join(path, "ranks.tbl") : path;
  TableReader t(file, "eval_ranks", kRankFileVersion);
  int64_t n_runs = 0;
  STARS_CHECK_DATA(parse_int64(t.meta("runs"), &n_runs) && n_runs >= 0, file << ": missing or bad 'runs' metadata");
  std::vector<RunRanks> runs(n_runs);
  for (int64_t r = 0; r < n_runs; ++r) {
    const std::string p = "r" + std::to_string(r);
    auto& run = runs[r];
    run.protocol = t.meta(p + ".protocol");
    run.split = t.meta(p + ".split");
    run.query_hash = t.meta(p + ".query_hash");
    run.users = t.column<int32_t>(p + ".users").to_vector();
    int64_t n_cols = 0;
    STARS_CHECK_DATA(parse_int64(t.meta(p + ".columns"), &n_cols) && n_cols >= 0, file << ": bad column count of run " << r);
    for (int64_t c = 0; c < n_cols; ++c) {
      const std::string col = p + ".c" + std::to_string(c);
      auto v = t.column<int32_t>(col).to_vector();
      STARS_CHECK_DATA(v.size() == run.users.size(), file << ": column " << col << " has " << v.size() << " rows, expected " << run.users.size());
      run.ranks[t.meta(col)] = std::move(v);
    }
  }
  return runs;
}

}  // namespace stars::eval
