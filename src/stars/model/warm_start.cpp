#include "stars/model/warm_start.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::model {
namespace {

// Each model.* key as text, for comparing two configurations.
struct ConfigText {
  std::vector<std::pair<std::string, std::string>> fields;
  template <class T>
  void operator()(const char* name, T& field, const char* /*doc*/) {
    std::ostringstream s;
    s << std::boolalpha << field;
    fields.emplace_back(name, s.str());
  }
};

// Keys that leave the weights' layout and meaning as they are: how the model trains, the attention kernel,
// and how many tags per item it reads.
bool training_only(const std::string& key) {
  // max_tags: how many of an item's tags are read (the weights fit any number).
  static const std::set<std::string> keys = {"dropout", "attn_dropout", "init_std", "max_tags", "fused_attention"};
  return keys.count(key) > 0;
}

void check_same_architecture(const ModelConfig& to, const ModelConfig& from, const std::string& from_dir) {
  ConfigText a, b;
  const_cast<ModelConfig&>(to).visit(a);
  const_cast<ModelConfig&>(from).visit(b);
  for (size_t i = 0; i < a.fields.size(); ++i) {
    if (training_only(a.fields[i].first) || a.fields[i].second == b.fields[i].second) continue;
    STARS_THROW(kInvalidArgument, "train.init_from=" << from_dir << ": model." << a.fields[i].first << " is "
                                      << b.fields[i].second << " there and " << a.fields[i].second
                                      << " here; a warm start needs the same architecture (as resolved for the "
                                         "data: a switch is off where the data lacks its feature)");
  }
}

// The name of row r of a table over `names` (rows past the list, such as the region table's single row of
// data without regions, are named by position).
std::string row_name(const std::vector<std::string>& names, int64_t r) {
  return r < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(r)] : "\x01row " + std::to_string(r);
}

int64_t index_of(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int64_t>(it - names.begin());
}

// The vocabularies a vocabulary-indexed parameter is matched by: the new model's and the old one's, or
// nothing when the parameter is copied whole. `from_name`: the old model's array for it (a per-feature
// table is the old table of the feature of the same name, whatever its place); empty when the old model
// lacks that feature.
struct TableNames {
  std::vector<std::string> to, from;
  std::string what;             // "items", "tags", ... for the report and errors
  std::string from_name;
  int64_t skip_rows = 0;        // rows at the end left out of the report's counts (the padding tag)
};

std::optional<TableNames> table_names(const std::string& name, const ModelFiles& to, const ModelFiles& from,
                                      const std::string& from_dir) {
  const std::string features_tbl = from_dir + "/features.tbl";
  auto need_vocab = [&](const char* what) {
    STARS_CHECK_DATA(from.vocab.kept, features_tbl << " keeps no vocabularies (a model written by an older stars): "
                                                   << name << " is indexed by " << what
                                                   << ", which a warm start matches by name; retrain that model first");
  };
  TableNames t;
  t.from_name = name;
  if (name == "delta.weight") {
    STARS_CHECK_DATA(!from.item_ids.empty(), features_tbl << " keeps no item ids (a model written by an older stars): "
                                                          "delta.weight cannot be matched by item; retrain that model first");
    t.to = to.item_ids;
    t.from = from.item_ids;
    t.what = "items";
  } else if (name == "tag_emb.weight") {
    // The last row is the padding tag.
    t.to = to.content.tag_names;
    t.from = from.content.tag_names;
    t.to.push_back("\x01padding");
    t.from.push_back("\x01padding");
    t.what = "tags";
    t.skip_rows = 1;
  } else if (name == "region.weight" || name == "ch_region.weight") {
    need_vocab("region");
    t.to = to.vocab.regions;
    t.from = from.vocab.regions;
    t.what = "regions";
  } else if (name == "cal.weight" || name == "ch_cal.weight") {
    need_vocab("calendar event");
    t.to = to.vocab.calendar_events;
    t.from = from.vocab.calendar_events;
    t.what = "calendar events";
  } else if (starts_with(name, "ctx.") || starts_with(name, "user_cat.")) {
    const bool ctx = starts_with(name, "ctx.");
    const size_t f = static_cast<size_t>(std::stoul(name.substr(ctx ? 4 : 9)));
    const auto& to_names = ctx ? to.schema.context_names : to.schema.user_categorical_names;
    const auto& from_names = ctx ? from.schema.context_names : from.schema.user_categorical_names;
    STARS_CHECK(f < to_names.size(), name << ": no such feature in the new model");
    t.what = (ctx ? "values of context feature '" : "values of user feature '") + to_names[f] + "'";
    const int64_t g = index_of(from_names, to_names[f]);
    t.from_name = g < 0 ? "" : (ctx ? "ctx." : "user_cat.") + std::to_string(g) + ".weight";
    if (g < 0) return t;
    need_vocab(ctx ? "context values" : "user feature values");
    t.to = (ctx ? to.vocab.context : to.vocab.user_categorical)[f];
    t.from = (ctx ? from.vocab.context : from.vocab.user_categorical)[static_cast<size_t>(g)];
  } else {
    return std::nullopt;
  }
  return t;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}

[[noreturn]] void shape_error(const NamedArray& to, const NamedArray& from, const std::string& from_dir) {
  STARS_THROW(kInvalidArgument, "train.init_from=" << from_dir << ": parameter '" << to.name << "' is "
                                    << shape_text(from.shape) << " there and " << shape_text(to.shape)
                                    << " here (the data's features differ: text vector dimension, numeric user "
                                       "features, ...)");
}

// The parts of the context head, in the order of its projection's column blocks (stars_net.cpp).
std::vector<std::string> context_head_parts(const FeatureSchema& s) {
  std::vector<std::string> parts;
  if (s.has_time) parts.insert(parts.end(), {"hour", "day of week", "week"});
  if (s.num_regions > 1) parts.push_back("region");
  if (s.has_time && s.num_calendar_events > 0) parts.push_back("calendar");
  return parts;
}

// Copies into `a` (D, blocks x width) the column blocks of `o` (D, old blocks x width) whose names match;
// returns how many matched.
int64_t match_column_blocks(NamedArray& a, const NamedArray& o, const std::vector<std::string>& to,
                            const std::vector<std::string>& from, int64_t width, const std::string& from_dir) {
  if (a.shape.size() != 2 || o.shape.size() != 2 || a.shape[0] != o.shape[0] ||
      a.shape[1] != width * static_cast<int64_t>(to.size()) || o.shape[1] != width * static_cast<int64_t>(from.size()))
    shape_error(a, o, from_dir);
  const int64_t D = a.shape[0], cols = a.shape[1], old_cols = o.shape[1];
  int64_t hit = 0;
  for (size_t b = 0; b < to.size(); ++b) {
    const int64_t g = index_of(from, to[b]);
    if (g < 0) continue;
    ++hit;
    for (int64_t d = 0; d < D; ++d)
      std::memcpy(a.data.data() + d * cols + static_cast<int64_t>(b) * width, o.data.data() + d * old_cols + g * width,
                  sizeof(float) * static_cast<size_t>(width));
  }
  return hit;
}

// Copies into table `a` the rows of table `o` whose names match (`to` and `from` name the rows; rows past a
// list are named by position); returns how many of the first `counted` rows matched.
int64_t copy_matched_rows(NamedArray& a, const NamedArray& o, const std::vector<std::string>& to,
                          const std::vector<std::string>& from, int64_t counted, const std::string& from_dir) {
  if (a.shape.empty() || o.shape.size() != a.shape.size() || !std::equal(a.shape.begin() + 1, a.shape.end(), o.shape.begin() + 1))
    shape_error(a, o, from_dir);
  std::unordered_map<std::string, int64_t> old_row;
  for (int64_t r = 0; r < o.shape[0]; ++r) old_row.emplace(row_name(from, r), r);
  const int64_t width = a.shape[0] > 0 ? static_cast<int64_t>(a.data.size()) / a.shape[0] : 0;
  int64_t hit = 0;
  for (int64_t r = 0; r < a.shape[0]; ++r) {
    auto it = old_row.find(row_name(to, r));
    if (it == old_row.end()) continue;
    std::memcpy(a.data.data() + r * width, o.data.data() + it->second * width, sizeof(float) * static_cast<size_t>(width));
    if (r < counted) ++hit;
  }
  return hit;
}

std::string thousands(int64_t v) { return format_count(static_cast<uint64_t>(v)); }

}  // namespace

std::string WarmStartReport::summary() const {
  std::ostringstream s;
  s << "warm start: " << copied << " parameters copied";
  for (const auto& m : matched) s << "\n  " << m;
  if (!fresh.empty()) s << "\n  initialised afresh (not in the old model): " << join(fresh, ", ");
  if (!dropped.empty()) s << "\n  not used (not in this model): " << join(dropped, ", ");
  return s.str();
}

NamedArrays warm_start_weights(const NamedArrays& fresh, const ModelFiles& to, const ModelFiles& from,
                               const std::string& from_dir, WarmStartReport* report) {
  check_same_architecture(to.config, from.config, from_dir);
  WarmStartReport local;
  WarmStartReport& rep = report ? *report : local;
  rep = WarmStartReport{};
  const std::string& was = from.content.text_model;
  const std::string& now = to.content.text_model;
  if (!was.empty() && !now.empty() && was != now)
    rep.text_space = "the text vectors come from " + now + " here and from " + was + " in " + from_dir +
                     ": the copied item projection starts in another text space (to keep the old one, copy the "
                     "old dataset's semantics folder into the new dataset before stars enrich, which then reuses "
                     "its fit and the vectors of unchanged items)";
  NamedArrays out = fresh;
  std::set<std::string> used;
  for (NamedArray& a : out.arrays) {
    if (a.name == kColdUserPriorArray) continue;  // data-derived: the new data's
    const std::optional<TableNames> t = table_names(a.name, to, from, from_dir);
    const std::string from_name = t ? t->from_name : a.name;
    const NamedArray* o = from_name.empty() ? nullptr : from.weights.find(from_name);
    if (o == nullptr) {
      rep.fresh.push_back(t && from_name.empty() ? a.name + " (" + t->what + ": a new feature)" : a.name);
      continue;
    }
    used.insert(from_name);
    if (t) {
      // Rows matched by name; the rest of each row's shape must agree.
      const int64_t counted = a.shape.empty() ? 0 : a.shape[0] - t->skip_rows;
      const int64_t hit = copy_matched_rows(a, *o, t->to, t->from, counted, from_dir);
      std::string line = a.name + ": " + thousands(hit) + " of " + thousands(counted) + " rows (" + t->what + ") matched";
      if (from_name != a.name) line += " from " + from_name;
      rep.matched.push_back(line);
      continue;
    }
    if (a.name == "ctx_w.weight" || a.name == "user_num.weight") {
      // Column blocks matched by name: the context head's parts (d_context columns each), or each numeric
      // user feature's value and missing-flag columns.
      const bool head = a.name == "ctx_w.weight";
      const std::vector<std::string> tn = head ? context_head_parts(to.schema) : to.schema.user_numeric_names;
      const std::vector<std::string> fn = head ? context_head_parts(from.schema) : from.schema.user_numeric_names;
      const int64_t hit = match_column_blocks(a, *o, tn, fn, head ? to.config.d_context : 2, from_dir);
      rep.matched.push_back(a.name + ": " + thousands(hit) + " of " + thousands(static_cast<int64_t>(tn.size())) +
                            (head ? " context-head parts matched" : " numeric user features matched"));
      continue;
    }
    if (a.shape != o->shape) shape_error(a, *o, from_dir);
    a.data = o->data;
    ++rep.copied;
  }
  for (const NamedArray& o : from.weights.arrays)
    if (o.name != kColdUserPriorArray && !used.count(o.name)) rep.dropped.push_back(o.name);
  return out;
}

}  // namespace stars::model
