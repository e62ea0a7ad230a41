#include "stars/model/token_batch.h"

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/time.h"

namespace stars::model {

TimeParts time_parts(int64_t ts) {
  TimeParts p;
  p.hour = hour_of_day(ts);
  p.dow = day_of_week(ts);
  p.week = std::min(52, week_of_year(ts));
  return p;
}

int recency_bucket(int64_t seconds, int n_buckets) {
  if (seconds <= 0) return 0;
  const double minutes = static_cast<double>(seconds) / 60.0;
  const int b = 1 + static_cast<int>(std::floor(std::log2(1.0 + minutes)));
  return std::min(b, n_buckets - 1);
}

BatchFeaturizer::BatchFeaturizer(const ModelConfig& config, const FeatureSchema& schema, const CalendarIndex* calendar)
    : config_(config), schema_(schema), calendar_(calendar) {
  time_ = schema_.has_time;
  calendar_on_ = time_ && config_.use_context && schema_.num_calendar_events > 0 && calendar_ != nullptr && !calendar_->empty();
}

void BatchFeaturizer::begin(TokenBatch* b, int32_t B, int32_t T) const {
  const size_t n = static_cast<size_t>(B) * T;
  b->B = B;
  b->T = T;
  b->item_local.assign(n, 0);
  b->valid.assign(n, 0);
  b->type.assign(n, 0);
  b->hour.assign(n, 0);
  b->dow.assign(n, 0);
  b->week.assign(n, 0);
  b->region.assign(n, 0);
  b->recency.assign(n, 0);
  b->context.assign(n * schema_.num_context(), 0);
  b->slot_day.assign(n, -1);
  b->cal_ids.clear();
  b->cal_offsets.clear();
  b->user_num.assign(static_cast<size_t>(B) * 2 * schema_.num_user_numeric(), 0.0f);
  b->user_cat.assign(static_cast<size_t>(B) * schema_.num_user_categorical(), 0);
  b->uniq.clear();
  b->n_targets = 0;
  b->n_cands = 0;
  b->tgt_slot.clear();
  b->tgt_item.clear();
  b->cands.clear();
  b->shared.clear();
  b->shared_item.clear();
  b->tgt_hour.clear();
  b->tgt_dow.clear();
  b->tgt_week.clear();
  b->tgt_region.clear();
  b->tgt_cal_ids.clear();
  b->tgt_cal_offsets.clear();
  b->row_last_target.assign(B, -1);
  b->row_first_target.assign(B, -1);
  b->hist_tgt.clear();
  b->hist_item.clear();
  b->hist_cand.clear();
  b->hist_shared.clear();
  b->cand_logq.clear();
  b->tgt_shared_logq.clear();
  b->shared_logq.clear();
  b->pair_logq_tgt.clear();
  b->pair_logq_col.clear();
  b->pair_logq.clear();
}

void BatchFeaturizer::set_user(TokenBatch* b, int32_t r, const float* numeric, const int32_t* categorical) const {
  const int fn = schema_.num_user_numeric(), fc = schema_.num_user_categorical();
  float* num = b->user_num.data() + static_cast<size_t>(r) * 2 * fn;
  for (int f = 0; f < fn; ++f) {
    const float v = numeric ? numeric[f] : NAN;
    if (std::isfinite(v)) {
      num[2 * f] = (v - schema_.user_numeric_mean[f]) / schema_.user_numeric_std[f];
      num[2 * f + 1] = 0.0f;
    } else {
      num[2 * f] = 0.0f;
      num[2 * f + 1] = 1.0f;
    }
  }
  int64_t* cat = b->user_cat.data() + static_cast<size_t>(r) * fc;
  for (int f = 0; f < fc; ++f) {
    const int32_t c = categorical ? categorical[f] : 0;
    cat[f] = (c > 0 && c < schema_.user_categorical_sizes[f]) ? c : 0;  // unknown codes -> missing
  }
}

void BatchFeaturizer::set_slot(TokenBatch* b, int32_t r, int32_t t, const EventView& e, int64_t now) const {
  const size_t s = static_cast<size_t>(r) * b->T + t;
  b->valid[s] = 1;
  b->type[s] = e.type < 4 ? e.type : 0;
  if (time_) {
    const TimeParts p = time_parts(e.ts);
    b->hour[s] = p.hour;
    b->dow[s] = p.dow;
    b->week[s] = p.week;
    b->recency[s] = recency_bucket(now - e.ts, config_.recency_buckets);
    b->slot_day[s] = day_of(e.ts);
  }
  b->region[s] = (e.region > 0 && e.region < schema_.num_regions) ? e.region : 0;
  const int F = schema_.num_context();
  const size_t n = static_cast<size_t>(b->B) * b->T;
  for (int f = 0; f < F; ++f) {
    const int32_t c = (e.context && f < e.n_context) ? e.context[f] : 0;
    b->context[f * n + s] = (c > 0 && c < schema_.context_sizes[f]) ? c : 0;
  }
}

void BatchFeaturizer::finish(TokenBatch* b) const {
  b->cal_ids.clear();
  b->cal_offsets.clear();
  if (!calendar_on_) return;
  const size_t n = static_cast<size_t>(b->B) * b->T;
  b->cal_offsets.resize(n);
  for (size_t s = 0; s < n; ++s) {
    b->cal_offsets[s] = static_cast<int64_t>(b->cal_ids.size());
    if (b->slot_day[s] >= 0) calendar_->active(b->slot_day[s], static_cast<int32_t>(b->region[s]), &b->cal_ids);
  }
  for (auto& id : b->cal_ids) id = (id >= 0 && id < schema_.num_calendar_events) ? id : 0;
}

void BatchFeaturizer::add_target_context(TokenBatch* b, int64_t ts, int32_t region) const {
  const TimeParts p = time_ ? time_parts(ts) : TimeParts{};
  b->tgt_hour.push_back(p.hour);
  b->tgt_dow.push_back(p.dow);
  b->tgt_week.push_back(p.week);
  b->tgt_region.push_back((region > 0 && region < schema_.num_regions) ? region : 0);
  if (calendar_on_) {
    b->tgt_cal_offsets.push_back(static_cast<int64_t>(b->tgt_cal_ids.size()));
    const size_t before = b->tgt_cal_ids.size();
    calendar_->active(day_of(ts), region, &b->tgt_cal_ids);
    for (size_t i = before; i < b->tgt_cal_ids.size(); ++i)
      if (b->tgt_cal_ids[i] < 0 || b->tgt_cal_ids[i] >= schema_.num_calendar_events) b->tgt_cal_ids[i] = 0;
  }
}

void ItemSlots::reset(TokenBatch* b) { b->uniq.clear(); }

int64_t ItemSlots::local(TokenBatch* b, int32_t item) {
  STARS_CHECK(item >= 0 && item < static_cast<int32_t>(local_.size()), "item id " << item << " outside [0, " << local_.size() << ")");
  int64_t& l = local_[item];
  if (l < 0) {
    l = static_cast<int64_t>(b->uniq.size());
    b->uniq.push_back(item);
  }
  return l;
}

void ItemSlots::sort(TokenBatch* b) {
  if (std::is_sorted(b->uniq.begin(), b->uniq.end())) return;
  std::sort(b->uniq.begin(), b->uniq.end());
  rank_.resize(b->uniq.size());
  for (size_t i = 0; i < b->uniq.size(); ++i) {  // local_ still holds the old numbering
    int64_t& l = local_[b->uniq[i]];
    rank_[l] = static_cast<int64_t>(i);
    l = static_cast<int64_t>(i);
  }
  for (auto* a : {&b->item_local, &b->cands, &b->shared})
    for (int64_t& x : *a) x = rank_[x];
}

void ItemSlots::clear(const TokenBatch& b) {
  for (int64_t g : b.uniq) local_[g] = -1;
}

}  // namespace stars::model
