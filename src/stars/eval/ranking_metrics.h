// Full-catalog ranking metrics for one target per query (leave-one-out): the 0-based rank of the target
// among all candidates, then Hit@K, NDCG@K (one relevant item: 1/log2(rank+2) when rank < K) and MRR.
// Torch-free; shared by training (validation, early stopping) and `stars eval`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stars::eval {

// 0-based rank of `target` when items are sorted by descending score: the number of candidates scored
// strictly higher, plus half of the ties (rounded down) so that constant scores do not look perfect.
// Items with excluded[i] != 0 (and not the target) are skipped; `excluded` may be null.
int64_t rank_of_target(const float* scores, int64_t n_items, int64_t target, const uint8_t* excluded = nullptr);

// Accumulates Hit@K, NDCG@K, MRR over queries from target ranks.
class RankMetrics {
 public:
  explicit RankMetrics(std::vector<int> ks = {1, 5, 10, 20, 50}) : ks_(std::move(ks)) {}
  void add(int64_t rank);
  void merge(const RankMetrics& other);
  // The running sums [count, hit@K..., ndcg@K..., mrr] (e.g. to add up parts computed in other processes),
  // and the metrics of such sums.
  std::vector<double> sums() const;
  static RankMetrics from_sums(std::vector<int> ks, const std::vector<double>& sums);
  int64_t count() const { return n_; }
  double hit(int k) const;   // = Recall@K with one target
  double ndcg(int k) const;
  double mrr() const;
  // {"hit@10": ..., "ndcg@10": ..., "mrr": ...} for every K.
  std::map<std::string, double> to_map() const;
  const std::vector<int>& ks() const { return ks_; }

 private:
  std::vector<int> ks_;
  int64_t n_ = 0;
  std::vector<double> hit_sum_, ndcg_sum_;
  double mrr_sum_ = 0.0;
};

}  // namespace stars::eval
