#include "stars/eval/ranking_metrics.h"

#include <cmath>

#include "stars/core/error.h"

namespace stars::eval {

int64_t rank_of_target(const float* scores, int64_t n, int64_t target, const uint8_t* excluded) {
  STARS_CHECK(target >= 0 && target < n, "target " << target << " out of range " << n);
  const float t = scores[target];
  int64_t higher = 0, ties = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (i == target || (excluded != nullptr && excluded[i])) continue;
    higher += scores[i] > t;
    ties += scores[i] == t;
  }
  return higher + ties / 2;
}

void RankMetrics::add(int64_t rank) {
  if (hit_sum_.empty()) {
    hit_sum_.assign(ks_.size(), 0.0);
    ndcg_sum_.assign(ks_.size(), 0.0);
  }
  ++n_;
  for (size_t i = 0; i < ks_.size(); ++i) {
    if (rank < ks_[i]) {
      hit_sum_[i] += 1.0;
      ndcg_sum_[i] += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
    }
  }
  mrr_sum_ += 1.0 / (static_cast<double>(rank) + 1.0);
}

std::vector<double> RankMetrics::sums() const {
  std::vector<double> v{static_cast<double>(n_)};
  for (size_t i = 0; i < ks_.size(); ++i) v.push_back(hit_sum_.empty() ? 0.0 : hit_sum_[i]);
  for (size_t i = 0; i < ks_.size(); ++i) v.push_back(ndcg_sum_.empty() ? 0.0 : ndcg_sum_[i]);
  v.push_back(mrr_sum_);
  return v;
}

RankMetrics RankMetrics::from_sums(std::vector<int> ks, const std::vector<double>& sums) {
  RankMetrics m(std::move(ks));
  const size_t K = m.ks_.size();
  STARS_CHECK(sums.size() == 2 * K + 2, "metric sums: expected " << 2 * K + 2 << " values, got " << sums.size());
  m.n_ = static_cast<int64_t>(sums[0] + 0.5);
  if (m.n_ == 0) return m;
  m.hit_sum_.assign(sums.begin() + 1, sums.begin() + 1 + K);
  m.ndcg_sum_.assign(sums.begin() + 1 + K, sums.begin() + 1 + 2 * K);
  m.mrr_sum_ = sums[2 * K + 1];
  return m;
}

void RankMetrics::merge(const RankMetrics& o) {
  STARS_CHECK(o.ks_ == ks_, "merging metrics with different K");
  if (o.n_ == 0) return;
  if (hit_sum_.empty()) {
    hit_sum_.assign(ks_.size(), 0.0);
    ndcg_sum_.assign(ks_.size(), 0.0);
  }
  n_ += o.n_;
  for (size_t i = 0; i < ks_.size(); ++i) {
    hit_sum_[i] += o.hit_sum_[i];
    ndcg_sum_[i] += o.ndcg_sum_[i];
  }
  mrr_sum_ += o.mrr_sum_;
}

namespace {
size_t index_of(const std::vector<int>& ks, int k) {
  for (size_t i = 0; i < ks.size(); ++i)
    if (ks[i] == k) return i;
  STARS_THROW(kInvalidArgument, "metric cutoff K=" << k << " was not computed");
}
}  // namespace

double RankMetrics::hit(int k) const { return n_ ? hit_sum_[index_of(ks_, k)] / n_ : 0.0; }
double RankMetrics::ndcg(int k) const { return n_ ? ndcg_sum_[index_of(ks_, k)] / n_ : 0.0; }
double RankMetrics::mrr() const { return n_ ? mrr_sum_ / n_ : 0.0; }

std::map<std::string, double> RankMetrics::to_map() const {
  std::map<std::string, double> m;
  for (int k : ks_) {
    m["hit@" + std::to_string(k)] = hit(k);
    m["ndcg@" + std::to_string(k)] = ndcg(k);
  }
  m["mrr"] = mrr();
  return m;
}

}  // namespace stars::eval
