#include "stars/eval/harness.h"

#include <algorithm>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/thread_pool.h"
#include "stars/eval/ranked_list.h"

namespace stars::eval {

ScorerRanks rank_queries(const data::Dataset& ds, const QuerySet& qs, Scorer& scorer, const EvalConfig& config,
                         int threads) {
  ScorerRanks out;
  out.name = scorer.name();
  out.kind = scorer.kind();
  Timer prep_timer;
  scorer.prepare(qs);
  out.prepare_seconds = prep_timer.seconds();

  const std::vector<std::string> lists = scorer.lists();
  STARS_CHECK(!lists.empty(), "scorer " << out.name << " has no lists");
  const bool interleave = lists.size() == 2;
  const size_t n_lists = lists.size();
  const size_t n_strat = n_lists + (interleave ? 1 : 0);
  const int32_t n_items = ds.num_items();
  const size_t n_q = qs.queries.size();
  const size_t max_k = static_cast<size_t>(config.max_k());
  const size_t depth = interleave ? static_cast<size_t>(config.interleave_depth) : max_k;

  for (size_t s = 0; s < n_strat; ++s) {
    StrategyRanks sr;
    sr.name = s < n_lists ? lists[s] : "interleave";
    sr.ranks.assign(n_q, 0);
    sr.best_pos.assign(n_items, kNeverListed);
    out.strategies.push_back(std::move(sr));
  }

  // Rows per block: keep the score matrices of a block near 96 MB.
  const size_t row_bytes = static_cast<size_t>(n_items) * n_lists * sizeof(float);
  const size_t block = std::clamp<size_t>((96u << 20) / std::max<size_t>(row_bytes, 1), 16, 2048);
  std::vector<float> buf(std::min(block, std::max<size_t>(n_q, 1)) * static_cast<size_t>(n_items) * n_lists);
  // Heads of every row's lists (the first max_k items) for Coverage@K, merged after each block.
  std::vector<int32_t> heads(std::min(block, std::max<size_t>(n_q, 1)) * n_strat * max_k);
  std::vector<int32_t> head_len(std::min(block, std::max<size_t>(n_q, 1)) * n_strat);

  Timer timer;
  Progress progress("eval " + out.name + " / " + protocol_name(qs.protocol), n_q, "queries");
  for (size_t first = 0; first < n_q; first += block) {
    const size_t n = std::min(block, n_q - first);
    std::vector<float*> ptrs(n_lists);
    for (size_t l = 0; l < n_lists; ++l) ptrs[l] = buf.data() + l * n * static_cast<size_t>(n_items);
    scorer.score(qs, first, n, ptrs.data());

    parallel_for(
        n, threads,
        [&](size_t rb, size_t re) {
          std::vector<uint32_t> stamp(n_items, 0);
          std::vector<uint8_t> seen(n_items, 0);
          std::vector<std::vector<int32_t>> tops(n_lists);
          std::vector<int32_t> merged, excluded;
          const auto items = ds.event_items();
          for (size_t r = rb; r < re; ++r) {
            const size_t qi = first + r;
            const Query& q = qs.queries[qi];
            Exclusion ex;
            if (q.full_catalog() && qs.exclude_history) {
              const uint32_t value = static_cast<uint32_t>(qi + 1);
              excluded.clear();
              for (uint64_t k = q.hist_begin; k < q.hist_end; ++k) {
                const int32_t it = items[k];
                if (it == q.target || stamp[it] == value) continue;
                stamp[it] = value;
                excluded.push_back(it);
              }
              ex = Exclusion{stamp.data(), value, excluded.data(), excluded.size()};
            }
            const int32_t* cand = q.full_catalog() ? nullptr : qs.candidates.data() + q.cand_begin;
            const size_t n_cand = q.full_catalog() ? static_cast<size_t>(n_items) : q.cand_end - q.cand_begin;
            std::vector<int64_t> rank(n_lists);
            for (size_t l = 0; l < n_lists; ++l) {
              const float* row = ptrs[l] + r * static_cast<size_t>(n_items);
              rank[l] = rank_and_top(row, cand, n_cand, q.target, ex, depth, tops[l]);
              if (rank[l] < 0) rank[l] = static_cast<int64_t>(n_cand);  // target not a candidate: a miss
              out.strategies[l].ranks[qi] = static_cast<int32_t>(rank[l]);
            }
            if (interleave) {
              const int64_t ir = interleave_rank(tops[0], tops[1], q.target, rank[0], rank[1], max_k, merged, seen);
              out.strategies[2].ranks[qi] = static_cast<int32_t>(std::min<int64_t>(ir, INT32_MAX - 1));
            }
            for (size_t s = 0; s < n_strat; ++s) {
              const std::vector<int32_t>& list = s < n_lists ? tops[s] : merged;
              const size_t len = std::min(max_k, list.size());
              std::copy(list.begin(), list.begin() + len, heads.begin() + (r * n_strat + s) * max_k);
              head_len[r * n_strat + s] = static_cast<int32_t>(len);
            }
          }
        },
        8);
    for (size_t r = 0; r < n; ++r)
      for (size_t s = 0; s < n_strat; ++s) {
        auto& best = out.strategies[s].best_pos;
        const int32_t* h = heads.data() + (r * n_strat + s) * max_k;
        for (int32_t p = 0; p < head_len[r * n_strat + s]; ++p) best[h[p]] = std::min(best[h[p]], p);
      }
    progress.update(first + n);
  }
  progress.finish();
  out.score_seconds = timer.seconds();
  return out;
}

}  // namespace stars::eval
