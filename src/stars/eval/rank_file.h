// ranks.tbl, written next to metrics.json: every query's user and, per model and strategy, the target's
// rank, for each protocol run. It lets `stars eval --compare A B` run a paired test between two
// evaluations of the same queries (equal query hashes) without rescoring. A STARS table file.
// Torch-free.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stars::eval {

constexpr uint32_t kRankFileVersion = 1;

struct RunRanks {
  std::string protocol, split, query_hash;
  std::vector<int32_t> users;                             // per query: dataset user id
  std::map<std::string, std::vector<int32_t>> ranks;      // "model/strategy" -> per-query rank
};

void write_rank_file(const std::string& path, const std::vector<RunRanks>& runs);
// Reads ranks.tbl (or DIR/ranks.tbl). Errors name the file.
std::vector<RunRanks> read_rank_file(const std::string& path);

}  // namespace stars::eval
