// Native users file: user_id plus static feature columns (types inferred or forced, then reported).
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/native_reader.h"
#include "stars/data/user_features.h"

namespace stars::data {

void read_native_users(const std::string& path, IngestContext& cx) {
  UserFeatureCollector users(path);
  std::vector<int> feature_of_column;  // column -> feature index, -1 for user_id
  std::vector<std::string_view> values;
  FileReport& fr = for_each_native_row(path, "users", {"user_id"}, cx, [&](const TabularReader& reader, const TabularRow& row) {
    const auto& cols = reader.columns();
    for (size_t c = feature_of_column.size(); c < cols.size(); ++c)
      feature_of_column.push_back(cols[c] == "user_id" ? -1 : static_cast<int>(users.add_column(cols[c])));
    values.assign(users.num_columns(), std::string_view());
    std::string_view id;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (feature_of_column[c] < 0) id = row.values[c];
      else values[feature_of_column[c]] = row.values[c];
    }
    users.add_row(row.line, id, values);
    return false;  // kept rows are counted by finish()
  });
  users.finish(cx, fr);
}

}  // namespace stars::data
