// Native users file: user_id plus static feature columns (types inferred or forced, then reported).
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/native_reader.h"
#include "stars/data/user_features.h"

namespace stars::data {

void read_native_users(const std::string& path, IngestContext& cx) {
  auto reader = TabularReader::open(path, cx.tabular_options());
  FileReport& fr = cx.begin_file(path, "users");
  if (!reader->dynamic_columns())
    STARS_CHECK_DATA(reader->column("user_id") >= 0, path << ":1: missing required column 'user_id' (header: "
                                                          << join(reader->columns(), ", ")
                                                          << "; rename with --set column.user_id=NAME)");
  UserFeatureCollector users(path);
  std::vector<int> feature_of_column;  // column -> feature index, -1 for user_id
  TabularRow row;
  std::vector<std::string_view> values;
  while (reader->next(row)) {
    ++fr.rows;
    if (row.error) {
      cx.errors.report(*row.error, path, row.line, row.error_message);
      continue;
    }
    const auto& cols = reader->columns();
    for (size_t c = feature_of_column.size(); c < cols.size(); ++c)
      feature_of_column.push_back(cols[c] == "user_id" ? -1 : static_cast<int>(users.add_column(cols[c])));
    values.assign(users.num_columns(), std::string_view());
    std::string_view id;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (feature_of_column[c] < 0) id = row.values[c];
      else values[feature_of_column[c]] = row.values[c];
    }
    users.add_row(row.line, id, values);
  }
  users.finish(cx, fr);
}

}  // namespace stars::data
