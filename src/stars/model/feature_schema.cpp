#include "stars/model/feature_schema.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "stars/core/error.h"
#include "stars/data/dataset.h"
#include "stars/model/item_content.h"

namespace stars::model {

std::string FeatureSchema::to_json() const {
  nlohmann::json j;
  j["num_items"] = num_items;
  j["text_dim"] = text_dim;
  j["num_tags"] = num_tags;
  j["has_time"] = has_time;
  j["has_event_types"] = has_event_types;
  j["num_regions"] = num_regions;
  j["num_calendar_events"] = num_calendar_events;
  j["context_names"] = context_names;
  j["context_sizes"] = context_sizes;
  j["user_numeric_names"] = user_numeric_names;
  j["user_numeric_mean"] = user_numeric_mean;
  j["user_numeric_std"] = user_numeric_std;
  j["user_categorical_names"] = user_categorical_names;
  j["user_categorical_sizes"] = user_categorical_sizes;
  return j.dump(2);
}

FeatureSchema FeatureSchema::from_json(const std::string& text, const std::string& where) {
  FeatureSchema s;
  try {
    const auto j = nlohmann::json::parse(text);
    s.num_items = j.at("num_items").get<int32_t>();
    s.text_dim = j.at("text_dim").get<int>();
    s.num_tags = j.at("num_tags").get<int32_t>();
    s.has_time = j.at("has_time").get<bool>();
    s.has_event_types = j.at("has_event_types").get<bool>();
    s.num_regions = j.at("num_regions").get<int32_t>();
    s.num_calendar_events = j.at("num_calendar_events").get<int32_t>();
    s.context_names = j.at("context_names").get<std::vector<std::string>>();
    s.context_sizes = j.at("context_sizes").get<std::vector<int>>();
    s.user_numeric_names = j.at("user_numeric_names").get<std::vector<std::string>>();
    s.user_numeric_mean = j.at("user_numeric_mean").get<std::vector<float>>();
    s.user_numeric_std = j.at("user_numeric_std").get<std::vector<float>>();
    s.user_categorical_names = j.at("user_categorical_names").get<std::vector<std::string>>();
    s.user_categorical_sizes = j.at("user_categorical_sizes").get<std::vector<int>>();
  } catch (const nlohmann::json::exception& e) {
    STARS_THROW(kCorrupt, where << ": bad feature schema: " << e.what());
  }
  STARS_CHECK_DATA(s.num_items >= 0 && s.text_dim >= 0 && s.num_tags >= 0 && s.num_regions >= 1 &&
                       s.num_calendar_events >= 0,
                   where << ": negative sizes in the feature schema");
  STARS_CHECK_DATA(s.context_names.size() == s.context_sizes.size(), where << ": context names/sizes differ in length");
  STARS_CHECK_DATA(s.user_numeric_names.size() == s.user_numeric_mean.size() &&
                       s.user_numeric_names.size() == s.user_numeric_std.size(),
                   where << ": user numeric names/mean/std differ in length");
  STARS_CHECK_DATA(s.user_categorical_names.size() == s.user_categorical_sizes.size(),
                   where << ": user categorical names/sizes differ in length");
  for (int v : s.context_sizes) STARS_CHECK_DATA(v >= 1, where << ": context vocabulary size " << v);
  for (int v : s.user_categorical_sizes) STARS_CHECK_DATA(v >= 1, where << ": user categorical vocabulary size " << v);
  return s;
}

FeatureSchema build_feature_schema(const data::Dataset& ds, const ItemContent& content) {
  FeatureSchema s;
  const auto& info = ds.info();
  s.num_items = ds.num_items();
  s.text_dim = content.text_dim;
  s.num_tags = content.has_tags() ? content.num_tags() : 0;
  s.has_time = info.has_time;
  s.has_event_types = info.has_event_types;
  s.num_regions = std::max<int32_t>(1, static_cast<int32_t>(ds.region_names().size()));
  s.num_calendar_events = info.has_time ? static_cast<int32_t>(ds.calendar_event_names().size()) : 0;
  for (const auto& f : ds.event_context_features()) {
    s.context_names.push_back(f.name);
    s.context_sizes.push_back(std::max<int>(1, static_cast<int>(f.vocab.size())));
  }
  for (size_t f = 0; f < ds.user_numeric_names().size(); ++f) {
    auto col = ds.user_numeric(f);
    double sum = 0, sq = 0;
    int64_t n = 0;
    for (float v : col)
      if (std::isfinite(v)) { sum += v; sq += static_cast<double>(v) * v; ++n; }
    const double mean = n ? sum / n : 0.0;
    const double var = n ? std::max(0.0, sq / n - mean * mean) : 0.0;
    s.user_numeric_names.push_back(ds.user_numeric_names()[f]);
    s.user_numeric_mean.push_back(static_cast<float>(mean));
    s.user_numeric_std.push_back(static_cast<float>(var > 1e-12 ? std::sqrt(var) : 1.0));
  }
  for (const auto& f : ds.user_categorical_features()) {
    s.user_categorical_names.push_back(f.name);
    s.user_categorical_sizes.push_back(std::max<int>(1, static_cast<int>(f.vocab.size())));
  }
  return s;
}

}  // namespace stars::model
