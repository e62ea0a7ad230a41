// The features a trained model was built for (vocabulary sizes, which fields exist, user-feature
// standardisation), resolved once from the prepared dataset at training time and saved with the model, so
// that inference reads dimensions from the model directory, never from the user. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::data {
class Dataset;
}

namespace stars::model {

struct ItemContent;

struct FeatureSchema {
  int32_t num_items = 0;
  int text_dim = 0;                  // 0 = no text vectors
  int32_t num_tags = 0;              // tag vocabulary size, 0 = no tags
  bool has_time = false;             // real timestamps (hour, day of week, time of year, recency)
  bool has_event_types = false;
  int32_t num_regions = 1;           // region vocabulary size including code 0 (none)
  int32_t num_calendar_events = 0;
  std::vector<std::string> context_names;  // extra categorical event columns
  std::vector<int> context_sizes;          // vocabulary size of each (code 0 = missing)
  std::vector<std::string> user_numeric_names;
  std::vector<float> user_numeric_mean, user_numeric_std;  // standardisation over users with a value
  std::vector<std::string> user_categorical_names;
  std::vector<int> user_categorical_sizes;

  int num_user_numeric() const { return static_cast<int>(user_numeric_names.size()); }
  int num_user_categorical() const { return static_cast<int>(user_categorical_names.size()); }
  int num_context() const { return static_cast<int>(context_names.size()); }
  bool has_user_features() const { return num_user_numeric() + num_user_categorical() > 0; }

  std::string to_json() const;
  // Parses to_json() output; errors name `where`.
  static FeatureSchema from_json(const std::string& text, const std::string& where);
};

FeatureSchema build_feature_schema(const data::Dataset& dataset, const ItemContent& content);

}  // namespace stars::model
