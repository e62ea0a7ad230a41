#include "stars/serve/snapshot.h"

#include <algorithm>
#include <cmath>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"

namespace stars::serve {

std::shared_ptr<const Snapshot> Snapshot::open(const std::string& dir, bool verify) {
  std::shared_ptr<Snapshot> s(new Snapshot());
  s->dir_ = dir;
  const std::string manifest_path = path_join(dir, snapshot_files::kManifest);
  if (!file_exists(manifest_path))
    STARS_THROW(kNotFound, "'" << dir << "' is not a snapshot: " << manifest_path << " is missing");
  s->manifest_ = manifest_from_json(read_text_file(manifest_path), manifest_path);
  s->items_ = TableReader(path_join(dir, snapshot_files::kItems), "snapshot.items", kSnapshotVersion, verify);
  s->users_ = TableReader(path_join(dir, snapshot_files::kUsers), "snapshot.users", kSnapshotVersion, verify);
  s->vocab_ = TableReader(path_join(dir, snapshot_files::kVocab), "snapshot.vocab", kSnapshotVersion, verify);
  s->context_ = TableReader(path_join(dir, snapshot_files::kContext), "snapshot.context", kSnapshotVersion, verify);

  const auto& it = s->items_;
  s->item_subclass_ = it.column<int32_t>("subclass");
  s->item_department_ = it.column<int32_t>("department");
  s->item_brand_ = it.column<int32_t>("brand");
  s->item_price_ = it.column<float>("price");
  s->item_in_stock_ = it.column<uint8_t>("in_stock");
  s->item_region_off_ = it.column<uint64_t>("regions.offsets");
  s->item_region_val_ = it.column<int32_t>("regions.values");
  s->item_tag_off_ = it.column<uint64_t>("tags.offsets");
  s->item_tag_val_ = it.column<int32_t>("tags.values");
  s->item_vectors_ = it.column<float>("vectors");
  s->item_popularity_ = it.column<float>("popularity");
  // Absent from snapshots written before it existed: then every item counts 0.
  s->item_first_popularity_ = it.column_or_empty<float>("first_popularity");

  const auto& us = s->users_;
  s->h_gen_ = us.column<float>("h_gen");
  s->h_next_ = us.column<float>("h_next");
  s->hist_off_ = us.column<uint64_t>("hist.offsets");
  s->hist_item_ = us.column<int32_t>("hist.values");
  s->hist_ts_ = us.column<int64_t>("hist_ts");
  s->hist_type_ = us.column<uint8_t>("hist_type");
  s->hist_region_ = us.column<int32_t>("hist_region");
  s->hist_context_ = us.column<int32_t>("hist_context");
  s->purchased_off_ = us.column<uint64_t>("purchased.offsets");
  s->purchased_val_ = us.column<int32_t>("purchased.values");
  s->user_numeric_ = us.column<float>("numeric");
  s->user_categorical_codes_ = us.column<int32_t>("categorical");

  const auto& vo = s->vocab_;
  s->subclasses_ = vo.strings("subclasses");
  s->departments_ = vo.strings("departments");
  s->brands_ = vo.strings("brands");
  s->regions_ = vo.strings("regions");
  s->tags_ = vo.strings("tags");
  s->calendar_events_ = vo.strings("calendar_events");
  s->user_numeric_names_ = vo.strings("user_numeric_names");
  const auto cat_names = vo.strings("user_categorical_names");
  for (size_t i = 0; i < cat_names.size(); ++i)
    s->user_categorical_.push_back({cat_names[i], vo.strings("user_cat." + std::to_string(i))});
  const auto ctx_names = vo.strings("event_context_names");
  for (size_t i = 0; i < ctx_names.size(); ++i)
    s->event_context_.push_back({ctx_names[i], vo.strings("event_ctx." + std::to_string(i))});

  const auto& cx = s->context_;
  s->cal_day_ = cx.column<int64_t>("cal_day");
  s->cal_region_ = cx.column<int32_t>("cal_region");
  s->cal_off_ = cx.column<uint64_t>("cal_events.offsets");
  s->cal_val_ = cx.column<int32_t>("cal_events.values");
  s->region_pop_off_ = cx.column<uint64_t>("region_pop.offsets");
  s->region_pop_item_ = cx.column<int32_t>("region_pop.values");
  s->region_pop_score_ = cx.column<float>("region_pop_score");
  s->event_pop_off_ = cx.column<uint64_t>("event_pop.offsets");
  s->event_pop_item_ = cx.column<int32_t>("event_pop.values");
  s->event_pop_score_ = cx.column<float>("event_pop_score");

  s->check_contents();

  s->user_index_.reserve(static_cast<size_t>(s->num_users()) * 2);
  for (int32_t u = 0; u < s->num_users(); ++u) {
    const bool added = s->user_index_.emplace(s->user_raw_id(u), u).second;
    STARS_CHECK_DATA(added, s->users_.path() << ": duplicate user id '" << s->user_raw_id(u) << "'");
  }
  for (size_t r = 0; r < s->cal_day_.size(); ++r) {
    auto& v = s->calendar_index_[s->cal_day_[r] * 65536 + s->cal_region_[r]];
    for (uint64_t j = s->cal_off_[r]; j < s->cal_off_[r + 1]; ++j) v.push_back(s->cal_val_[j]);
  }
  return s;
}

void Snapshot::check_contents() const {
  const size_t n = static_cast<size_t>(num_items()), u = static_cast<size_t>(num_users()), D = static_cast<size_t>(dim());
  const std::string ip = items_.path(), up = users_.path(), cp = context_.path();
  auto rows_are = [](const TableReader& t, const char* col, size_t want) {
    STARS_CHECK_DATA(t.rows(col) == want, t.path() << ": column '" << col << "' has " << t.rows(col)
                                                   << " rows, the manifest implies " << want);
  };
  for (const char* c : {"raw_id", "title", "category", "subclass", "department", "brand", "price", "in_stock", "regions",
                        "tags", "popularity"})
    rows_are(items_, c, n);
  rows_are(items_, "vectors", n * D);
  if (items_.has("first_popularity")) {
    rows_are(items_, "first_popularity", n);
    for (size_t i = 0; i < n; ++i)
      STARS_CHECK_DATA(std::isfinite(item_first_popularity_[i]) && item_first_popularity_[i] >= 0,
                       ip << ": column 'first_popularity' row " << i << " holds " << item_first_popularity_[i]
                          << ", expected a count >= 0");
  }
  rows_are(users_, "raw_id", u);
  rows_are(users_, "h_gen", u * D);
  rows_are(users_, "h_next", u * D);
  rows_are(users_, "hist", u);
  rows_are(users_, "purchased", u);
  const size_t e = hist_item_.size();
  for (const char* c : {"hist_ts", "hist_type", "hist_region"}) rows_are(users_, c, e);
  rows_are(users_, "hist_context", e * event_context_.size());
  rows_are(users_, "numeric", u * user_numeric_names_.size());
  rows_are(users_, "categorical", u * user_categorical_.size());
  STARS_CHECK_DATA(!regions_.empty() && regions_[0].empty(), vocab_.path() << ": regions must start with the missing region \"\"");
  STARS_CHECK_DATA(!brands_.empty(), vocab_.path() << ": brands must start with the missing brand \"\"");
  auto in_range = [](Span<const int32_t> v, int64_t lo, int64_t hi, const std::string& path, const char* col) {
    for (size_t i = 0; i < v.size(); ++i)
      STARS_CHECK_DATA(v[i] >= lo && v[i] < hi, path << ": column '" << col << "' row " << i << " holds " << v[i]
                                                     << ", expected a code in [" << lo << ", " << hi << ")");
  };
  in_range(item_subclass_, -1, subclasses_.size(), ip, "subclass");
  in_range(item_department_, -1, departments_.size(), ip, "department");
  in_range(item_brand_, 0, brands_.size(), ip, "brand");
  in_range(item_region_val_, 1, regions_.size(), ip, "regions");
  in_range(item_tag_val_, 0, tags_.size(), ip, "tags");
  in_range(hist_item_, 0, n, up, "hist");
  in_range(hist_region_, 0, regions_.size(), up, "hist_region");
  in_range(purchased_val_, 0, n, up, "purchased");
  for (size_t f = 0; f < event_context_.size(); ++f)
    for (size_t i = 0; i < e; ++i) {
      const int32_t c = hist_context_[i * event_context_.size() + f];
      STARS_CHECK_DATA(c >= 0 && c < static_cast<int64_t>(event_context_[f].values.size()),
                       up << ": hist_context row " << i << " feature " << f << " holds code " << c);
    }
  for (size_t f = 0; f < user_categorical_.size(); ++f)
    for (size_t i = 0; i < u; ++i) {
      const int32_t c = user_categorical_codes_[i * user_categorical_.size() + f];
      STARS_CHECK_DATA(c >= 0 && c < static_cast<int64_t>(user_categorical_[f].values.size()),
                       up << ": categorical row " << i << " feature " << f << " holds code " << c);
    }
  STARS_CHECK_DATA(cal_region_.size() == cal_day_.size() && cal_off_.size() == cal_day_.size() + 1,
                   cp << ": calendar columns differ in length");
  in_range(cal_region_, 0, regions_.size(), cp, "cal_region");
  in_range(cal_val_, 0, calendar_events_.size(), cp, "cal_events");
  STARS_CHECK_DATA(region_pop_off_.size() <= regions_.size() + 1, cp << ": region_pop has more rows than regions");
  STARS_CHECK_DATA(event_pop_off_.size() <= calendar_events_.size() + 1, cp << ": event_pop has more rows than events");
  STARS_CHECK_DATA(region_pop_score_.size() == region_pop_item_.size() && event_pop_score_.size() == event_pop_item_.size(),
                   cp << ": popularity scores and items differ in length");
  in_range(region_pop_item_, 0, n, cp, "region_pop");
  in_range(event_pop_item_, 0, n, cp, "event_pop");
}

std::string Snapshot::model_dir() const {
  return manifest_.has_model ? path_join(dir_, snapshot_files::kModelDir) : std::string();
}
std::string Snapshot::semantics_dir() const {
  return manifest_.has_semantics ? path_join(dir_, snapshot_files::kSemanticsDir) : std::string();
}

Span<const int32_t> Snapshot::item_regions(int32_t i) const {
  return item_region_val_.subspan(item_region_off_[i], item_region_off_[i + 1] - item_region_off_[i]);
}
Span<const int32_t> Snapshot::item_tags(int32_t i) const {
  return item_tag_val_.subspan(item_tag_off_[i], item_tag_off_[i + 1] - item_tag_off_[i]);
}

std::optional<int32_t> Snapshot::find_user(std::string_view raw_id) const {
  auto it = user_index_.find(raw_id);
  if (it == user_index_.end()) return std::nullopt;
  return it->second;
}

UserHistoryView Snapshot::history(int32_t u) const {
  const uint64_t b = hist_off_[u], e = hist_off_[u + 1];
  const size_t f = event_context_.size();
  return {hist_item_.subspan(b, e - b), hist_ts_.subspan(b, e - b), hist_type_.subspan(b, e - b),
          hist_region_.subspan(b, e - b), hist_context_.subspan(b * f, (e - b) * f)};
}

Span<const int32_t> Snapshot::purchased(int32_t u) const {
  return purchased_val_.subspan(purchased_off_[u], purchased_off_[u + 1] - purchased_off_[u]);
}

Span<const float> Snapshot::user_numeric(int32_t u) const {
  const size_t f = user_numeric_names_.size();
  return user_numeric_.subspan(static_cast<size_t>(u) * f, f);
}

Span<const int32_t> Snapshot::user_categorical(int32_t u) const {
  const size_t f = user_categorical_.size();
  return user_categorical_codes_.subspan(static_cast<size_t>(u) * f, f);
}

std::vector<int32_t> Snapshot::active_calendar_events(int64_t day, int32_t region) const {
  std::vector<int32_t> out;
  auto add = [&](int32_t r) {
    auto it = calendar_index_.find(day * 65536 + r);
    if (it != calendar_index_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  add(0);
  if (region > 0) add(region);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::pair<Span<const int32_t>, Span<const float>> Snapshot::region_popularity(int32_t region) const {
  if (region < 0 || static_cast<size_t>(region) + 1 >= region_pop_off_.size()) return {};
  const uint64_t b = region_pop_off_[region], e = region_pop_off_[region + 1];
  return {region_pop_item_.subspan(b, e - b), region_pop_score_.subspan(b, e - b)};
}

std::pair<Span<const int32_t>, Span<const float>> Snapshot::event_popularity(int32_t event) const {
  if (event < 0 || static_cast<size_t>(event) + 1 >= event_pop_off_.size()) return {};
  const uint64_t b = event_pop_off_[event], e = event_pop_off_[event + 1];
  return {event_pop_item_.subspan(b, e - b), event_pop_score_.subspan(b, e - b)};
}

}  // namespace stars::serve
