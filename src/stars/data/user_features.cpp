#include "stars/data/user_features.h"

#include <cmath>
#include <limits>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::data {

size_t UserFeatureCollector::add_column(const std::string& name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  names_.push_back(name);
  declared_.push_back(-1);
  return names_.size() - 1;
}

void UserFeatureCollector::declare(const std::string& name, bool numeric) {
  declared_[add_column(name)] = numeric ? 1 : 0;
}

void UserFeatureCollector::add_row(int64_t line, std::string_view user_id, const std::vector<std::string_view>& values) {
  row_first_.push_back(cell_off_.size());
  row_cells_.push_back(static_cast<uint32_t>(values.size() + 1));
  lines_.push_back(line);
  auto cell = [&](std::string_view v) {
    cell_off_.push_back(arena_.size());
    arena_.append(v.data(), v.size());
  };
  cell(user_id);
  for (auto v : values) cell(trim(v));
  cell_off_.push_back(arena_.size());  // end sentinel of the row's last cell
}

void UserFeatureCollector::finish(IngestContext& cx, FileReport& fr) {
  const size_t n_cols = names_.size(), n_rows = lines_.size();
  auto cell = [&](size_t r, size_t k) -> std::string_view {  // k = 0 is the id, k = 1.. the columns
    if (k >= row_cells_[r]) return {};
    const size_t i = row_first_[r] + k;
    return std::string_view(arena_.data() + cell_off_[i], cell_off_[i + 1] - cell_off_[i]);
  };
  for (const auto& [name, type] : cx.options.user_types) {
    bool found = false;
    for (size_t k = 0; k < n_cols; ++k)
      if (names_[k] == name) {
        declared_[k] = type == "numeric" ? 1 : 0;
        found = true;
      }
    STARS_CHECK_ARG(found, "--set user_types." << name << ": " << path_ << " has no user feature column '" << name
                                               << "' (columns: " << join(names_, ", ") << ")");
  }
  // Infer the undeclared types: numeric when at least one value and every non-empty value is a number.
  std::vector<bool> numeric(n_cols);
  std::vector<bool> forced(n_cols);
  for (size_t k = 0; k < n_cols; ++k) {
    forced[k] = declared_[k] >= 0;
    if (declared_[k] >= 0) {
      numeric[k] = declared_[k] == 1;
      continue;
    }
    bool any = false, all = true;
    double x;
    for (size_t r = 0; r < n_rows && all; ++r) {
      const auto v = cell(r, k + 1);
      if (v.empty()) continue;
      any = true;
      all = parse_double(v, &x);
    }
    numeric[k] = any && all;
  }
  std::vector<std::string> num_names, cat_names;
  std::vector<size_t> num_cols, cat_cols;
  for (size_t k = 0; k < n_cols; ++k) {
    (numeric[k] ? num_names : cat_names).push_back(names_[k]);
    (numeric[k] ? num_cols : cat_cols).push_back(k);
  }
  cx.builder.set_user_schema(num_names, cat_names);
  std::vector<float> nums(num_cols.size());
  std::vector<std::string> cats(cat_cols.size());
  for (size_t r = 0; r < n_rows; ++r) {
    const auto id = cell(r, 0);
    if (id.empty()) {
      cx.errors.report(RowError::kEmptyId, path_, lines_[r], "empty or missing user_id");
      continue;
    }
    bool ok = true;
    for (size_t j = 0; j < num_cols.size() && ok; ++j) {
      const auto v = cell(r, num_cols[j] + 1);
      double x;
      if (v.empty()) {
        nums[j] = std::numeric_limits<float>::quiet_NaN();
      } else if (parse_double(v, &x)) {
        nums[j] = static_cast<float>(x);
      } else {
        cx.errors.report(RowError::kBadNumber, path_, lines_[r],
                         "user feature '" + names_[num_cols[j]] + "' is numeric but the value " + show_value(v) +
                             " is not a number (force categorical with --set user_types." + names_[num_cols[j]] +
                             "=categorical)");
        ok = false;
      }
    }
    if (!ok) continue;
    for (size_t j = 0; j < cat_cols.size(); ++j) cats[j] = std::string(cell(r, cat_cols[j] + 1));
    if (!cx.builder.add_user(id, nums, cats)) {
      cx.errors.report(RowError::kDuplicateId, path_, lines_[r], "user_id " + show_value(id) + " appears twice");
      continue;
    }
    ++fr.kept;
  }
  std::string note = path_ + ": user features:";
  auto list = [&](const std::vector<size_t>& cols, const char* what) {
    if (cols.empty()) return;
    note += std::string(note.back() == ':' ? " " : "; ") + what + " ";
    for (size_t i = 0; i < cols.size(); ++i) note += (i ? ", " : "") + names_[cols[i]] + (forced[cols[i]] ? "" : " (inferred)");
  };
  list(num_cols, "numeric");
  list(cat_cols, "categorical");
  if (n_cols == 0) note += " none";
  cx.report.notes.push_back(note);
  cx.errors.end_file(path_);
}

}  // namespace stars::data
