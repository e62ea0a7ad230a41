#include "stars/eval/ltr_features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "stars/eval/popularity.h"

namespace stars::eval {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<int32_t> order_desc(const std::vector<float>& s) {
  std::vector<int32_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int32_t a, int32_t b) { return s[a] > s[b]; });
  return idx;
}

// Starts a new query in the scratch stamps: returns (history mark, taken mark).
std::pair<uint32_t, uint32_t> next_marks(LtrScratch& sc) {
  if (sc.stamp_value > UINT32_MAX - 4) {
    std::fill(sc.stamp.begin(), sc.stamp.end(), 0u);
    sc.stamp_value = 0;
  }
  sc.stamp_value += 2;
  return {sc.stamp_value - 1, sc.stamp_value};
}
}  // namespace

const std::vector<std::string>& ltr_feature_names() {
  static const std::vector<std::string> names = {
      "log_popularity",       "log_recent_popularity", "cooc_score",         "cooc_last_item",
      "subclass_affinity",    "department_affinity",   "brand_affinity",     "log_price",
      "price_to_user_mean",   "item_age_days",         "days_since_item_event", "user_item_count",
      "events_since_user_item", "log_history_length",  "same_subclass_as_last"};
  return names;
}

void LtrStatistics::fit(const data::Dataset& ds, const std::vector<uint8_t>& mask, int64_t end,
                        const EvalConfig& config) {
  has_time = ds.info().has_time;
  train_end = end;
  popularity = item_popularity(ds, mask);
  recent = recent_popularity(ds, mask, end, config.popularity);
  const float mx = popularity.empty() ? 0.0f : *std::max_element(popularity.begin(), popularity.end());
  popularity01.resize(popularity.size());
  for (size_t i = 0; i < popularity.size(); ++i) popularity01[i] = mx > 0 ? popularity[i] / mx : 0.0f;
  first_seen.assign(ds.num_items(), std::numeric_limits<int64_t>::max());
  last_seen.assign(ds.num_items(), std::numeric_limits<int64_t>::min());
  const auto items = ds.event_items();
  const auto ts = ds.event_times();
  for (size_t k = 0; k < mask.size(); ++k) {
    if (!mask[k]) continue;
    first_seen[items[k]] = std::min(first_seen[items[k]], ts[k]);
    last_seen[items[k]] = std::max(last_seen[items[k]], ts[k]);
  }
  popular_order = order_desc(popularity);
  recent_order = order_desc(recent);
  cooc.build(ds, mask, config.cooc);
}

void ltr_candidates(const data::Dataset& ds, const LtrStatistics& st, const Query& q, const LambdaMartConfig& config,
                    bool exclude_history, LtrScratch& sc, std::vector<int32_t>& out) {
  out.clear();
  const auto items = ds.event_items();
  const auto [hist_mark, taken] = next_marks(sc);
  if (exclude_history)
    for (uint64_t k = q.hist_begin; k < q.hist_end; ++k) sc.stamp[items[k]] = hist_mark;
  auto take = [&](int32_t i) {
    if (sc.stamp[i] == hist_mark || sc.stamp[i] == taken) return false;
    sc.stamp[i] = taken;
    out.push_back(i);
    return true;
  };
  if (config.candidates_cooc > 0) {
    sc.touched.clear();
    st.cooc.accumulate(ds, q, sc.cooc_sum.data(), sc.touched);
    std::vector<int32_t>& t = sc.touched;
    std::sort(t.begin(), t.end(), [&](int32_t a, int32_t b) {
      return sc.cooc_sum[a] != sc.cooc_sum[b] ? sc.cooc_sum[a] > sc.cooc_sum[b] : a < b;
    });
    int taken_n = 0;
    for (int32_t i : t) {
      if (taken_n < config.candidates_cooc && take(i)) ++taken_n;
      sc.cooc_sum[i] = 0.0f;
    }
  }
  int n = 0;
  for (size_t k = 0; k < st.popular_order.size() && n < config.candidates_popular; ++k) n += take(st.popular_order[k]);
  n = 0;
  for (size_t k = 0; k < st.recent_order.size() && n < config.candidates_recent; ++k) n += take(st.recent_order[k]);
  if (!exclude_history) {
    n = 0;
    for (uint64_t k = q.hist_end; k > q.hist_begin && n < config.candidates_history; --k) n += take(items[k - 1]);
  }
}

void ltr_features(const data::Dataset& ds, const LtrStatistics& st, const Query& q, const int32_t* cand, size_t n,
                  LtrScratch& sc, float* out) {
  const auto items = ds.event_items();
  // ---- the user's profile from the history
  std::unordered_map<int32_t, int32_t> sub_count, dept_count, brand_count;
  struct Seen {
    int32_t count = 0;
    int64_t last = 0;
  };
  std::unordered_map<int32_t, Seen> item_seen;
  double price_sum = 0;
  int64_t price_n = 0;
  const int64_t hist_n = static_cast<int64_t>(q.hist_end - q.hist_begin);
  for (uint64_t k = q.hist_begin; k < q.hist_end; ++k) {
    const int32_t i = items[k];
    if (ds.item_subclass(i) >= 0) ++sub_count[ds.item_subclass(i)];
    if (ds.item_department(i) >= 0) ++dept_count[ds.item_department(i)];
    if (ds.item_brand(i) > 0) ++brand_count[ds.item_brand(i)];
    const float p = ds.item_price(i);
    if (!std::isnan(p)) {
      price_sum += p;
      ++price_n;
    }
    auto& s = item_seen[i];
    ++s.count;
    s.last = static_cast<int64_t>(k - q.hist_begin);
  }
  const int32_t last_sub = hist_n > 0 ? ds.item_subclass(items[q.hist_end - 1]) : -1;
  const double mean_price = price_n > 0 ? price_sum / static_cast<double>(price_n) : 0.0;
  // ---- co-occurrence scores of the candidates
  sc.touched.clear();
  st.cooc.accumulate(ds, q, sc.cooc_sum.data(), sc.touched, sc.cooc_last.data());
  const float hn = static_cast<float>(std::max<int64_t>(hist_n, 1));
  for (size_t c = 0; c < n; ++c) {
    const int32_t i = cand[c];
    float* f = out + c * kNumLtrFeatures;
    f[0] = std::log1p(st.popularity[i]);
    f[1] = std::log1p(st.recent[i]);
    f[2] = sc.cooc_sum[i];
    f[3] = sc.cooc_last[i];
    const int32_t sub = ds.item_subclass(i), dept = ds.item_department(i), brand = ds.item_brand(i);
    auto share = [&](const std::unordered_map<int32_t, int32_t>& m, int32_t key) {
      const auto it = m.find(key);
      return it == m.end() ? 0.0f : static_cast<float>(it->second) / hn;
    };
    f[4] = sub >= 0 ? share(sub_count, sub) : kNaN;
    f[5] = dept >= 0 ? share(dept_count, dept) : kNaN;
    f[6] = brand > 0 ? share(brand_count, brand) : kNaN;
    const float price = ds.item_price(i);
    f[7] = std::isnan(price) ? kNaN : std::log1p(std::max(price, 0.0f));
    f[8] = (std::isnan(price) || mean_price <= 0) ? kNaN : static_cast<float>(price / mean_price);
    const bool seen = st.first_seen[i] != std::numeric_limits<int64_t>::max();
    f[9] = (st.has_time && seen) ? static_cast<float>(static_cast<double>(q.ts - st.first_seen[i]) / 86400.0) : kNaN;
    f[10] = (st.has_time && seen) ? static_cast<float>(static_cast<double>(st.train_end - st.last_seen[i]) / 86400.0)
                                  : kNaN;
    const auto it = item_seen.find(i);
    f[11] = it == item_seen.end() ? 0.0f : static_cast<float>(it->second.count);
    f[12] = it == item_seen.end() ? kNaN : static_cast<float>(hist_n - 1 - it->second.last);
    f[13] = std::log1p(static_cast<float>(hist_n));
    f[14] = (sub >= 0 && last_sub >= 0) ? static_cast<float>(sub == last_sub) : kNaN;
  }
  for (int32_t j : sc.touched) {
    sc.cooc_sum[j] = 0.0f;
    sc.cooc_last[j] = 0.0f;
  }
}

}  // namespace stars::eval
