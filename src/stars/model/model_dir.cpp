#include "stars/model/model_dir.h"

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/table_file.h"
#include "stars/data/dataset.h"

namespace stars::model {

namespace {
constexpr uint32_t kFeaturesVersion = 1;
}

std::string model_config_path(const std::string& dir) { return path_join(dir, "config.json"); }
std::string model_weights_path(const std::string& dir) { return path_join(dir, "weights.tbl"); }
std::string model_checkpoint_path(const std::string& dir) { return path_join(dir, "checkpoint.tbl"); }

void save_model_description(const std::string& dir, const ModelFiles& f) {
  make_directories(dir);
  JsonObject j;
  j.set("format", "stars-model");
  j.set("version", kModelFormatVersion);
  j.set_object("model", config_to_json(f.config));
  j.set_object("schema", JsonObject::parse(f.schema.to_json(), "feature schema"));
  j.set_object("train", JsonObject::parse(f.train_config_json, "training config"));
  j.set("item_content_source", f.content.source);
  write_text_file(model_config_path(dir), j.dump(2) + "\n");

  TableWriter w("model_features", kFeaturesVersion);
  w.set_meta("num_items", std::to_string(f.content.num_items));
  w.set_meta("text_dim", std::to_string(f.content.text_dim));
  w.set_meta("source", f.content.source);
  w.set_meta("text_model", f.content.text_model);
  w.add_column("text", f.content.text);
  w.add_lists("tags", f.content.tag_offsets, f.content.tag_ids);
  w.add_strings("tag_names", f.content.tag_names);
  if (!f.item_ids.empty()) {
    STARS_CHECK_ARG(f.item_ids.size() == static_cast<size_t>(f.content.num_items),
                    dir << ": " << f.item_ids.size() << " item ids for " << f.content.num_items << " items");
    w.add_strings("item_ids", f.item_ids);
  }
  if (f.vocab.kept) {
    const ModelVocab& v = f.vocab;
    STARS_CHECK_ARG(v.context.size() == f.schema.context_names.size() &&
                        v.user_categorical.size() == f.schema.user_categorical_names.size(),
                    dir << ": vocabularies for " << v.context.size() << " context and " << v.user_categorical.size()
                        << " user features, the schema has " << f.schema.context_names.size() << " and "
                        << f.schema.user_categorical_names.size());
    w.add_strings("vocab.regions", v.regions);
    w.add_strings("vocab.calendar", v.calendar_events);
    for (size_t i = 0; i < v.context.size(); ++i) w.add_strings("vocab.context." + std::to_string(i), v.context[i]);
    for (size_t i = 0; i < v.user_categorical.size(); ++i)
      w.add_strings("vocab.user_categorical." + std::to_string(i), v.user_categorical[i]);
  }
  const CalendarIndex::Rows rows = f.calendar.rows();
  w.add_column("calendar.day", rows.day);
  w.add_column("calendar.region", rows.region);
  w.add_lists("calendar.events", rows.offsets, rows.ids);
  w.write(path_join(dir, "features.tbl"));
}

void save_model_weights(const std::string& dir, const NamedArrays& weights) {
  write_named_arrays(model_weights_path(dir), "model_weights", weights);
}

ModelFiles load_model_files(const std::string& dir, bool with_weights) {
  ModelFiles f;
  const std::string cpath = model_config_path(dir);
  if (!file_exists(cpath)) STARS_THROW(kNotFound, cpath << ": no model here (train one with stars train --out " << dir << ")");
  const JsonObject j = JsonObject::parse(read_text_file(cpath), cpath);
  std::string format;
  int version = 0;
  if (j.has("format")) j.get("format", format, cpath);
  if (j.has("version")) j.get("version", version, cpath);
  STARS_CHECK_DATA(format == "stars-model", cpath << ": not a STARS model config (format '" << format << "')");
  STARS_CHECK_DATA(version == kModelFormatVersion,
                   cpath << ": model format version " << version << ", this build reads " << kModelFormatVersion);
  JsonObject m, s, t;
  j.get_object("model", m, cpath);
  config_from_json(m, f.config, cpath + ".model");
  f.config.validate();
  j.get_object("schema", s, cpath);
  f.schema = FeatureSchema::from_json(s.dump(), cpath + ".schema");
  if (j.has("train")) {
    j.get_object("train", t, cpath);
    f.train_config_json = t.dump(2);
  }

  const std::string fpath = path_join(dir, "features.tbl");
  TableReader r(fpath, "model_features", kFeaturesVersion);
  f.content.num_items = std::stoi(r.meta("num_items", "0"));
  f.content.text_dim = std::stoi(r.meta("text_dim", "0"));
  f.content.source = r.meta("source");
  f.content.text_model = r.meta("text_model", "");
  auto text = r.column<float>("text");
  f.content.text.assign(text.begin(), text.end());
  auto toff = r.column<uint64_t>("tags.offsets");
  auto tval = r.column<int32_t>("tags.values");
  f.content.tag_offsets.assign(toff.begin(), toff.end());
  f.content.tag_ids.assign(tval.begin(), tval.end());
  f.content.tag_names = r.strings("tag_names");
  if (r.has_strings("item_ids")) {
    f.item_ids = r.strings("item_ids");
    STARS_CHECK_DATA(f.item_ids.size() == static_cast<size_t>(f.content.num_items),
                     fpath << ": " << f.item_ids.size() << " item ids for " << f.content.num_items << " items");
  }
  if (r.has_strings("vocab.regions")) {
    ModelVocab& v = f.vocab;
    v.kept = true;
    v.regions = r.strings("vocab.regions");
    v.calendar_events = r.strings("vocab.calendar");
    for (size_t i = 0; i < f.schema.context_names.size(); ++i) {
      const std::string name = "vocab.context." + std::to_string(i);
      STARS_CHECK_DATA(r.has_strings(name), fpath << ": no column " << name << " for context feature '" << f.schema.context_names[i] << "'");
      v.context.push_back(r.strings(name));
    }
    for (size_t i = 0; i < f.schema.user_categorical_names.size(); ++i) {
      const std::string name = "vocab.user_categorical." + std::to_string(i);
      STARS_CHECK_DATA(r.has_strings(name), fpath << ": no column " << name << " for user feature '" << f.schema.user_categorical_names[i] << "'");
      v.user_categorical.push_back(r.strings(name));
    }
  }
  f.content.check(fpath);
  STARS_CHECK_DATA(f.content.num_items == f.schema.num_items && f.content.text_dim == f.schema.text_dim,
                   fpath << ": item content (" << f.content.num_items << " x " << f.content.text_dim
                         << ") does not match config.json (" << f.schema.num_items << " x " << f.schema.text_dim << ")");
  CalendarIndex::Rows rows;
  auto day = r.column<int64_t>("calendar.day");
  auto reg = r.column<int32_t>("calendar.region");
  auto coff = r.column<uint64_t>("calendar.events.offsets");
  auto cval = r.column<int32_t>("calendar.events.values");
  rows.day.assign(day.begin(), day.end());
  rows.region.assign(reg.begin(), reg.end());
  rows.offsets.assign(coff.begin(), coff.end());
  rows.ids.assign(cval.begin(), cval.end());
  f.calendar = CalendarIndex::from_rows(rows);

  if (with_weights) f.weights = read_named_arrays(model_weights_path(dir), "model_weights");
  return f;
}

std::vector<std::string> dataset_item_ids(const data::Dataset& ds) {
  std::vector<std::string> ids(static_cast<size_t>(ds.num_items()));
  for (int32_t i = 0; i < ds.num_items(); ++i) ids[i] = std::string(ds.item_raw_id(i));
  return ids;
}

ModelVocab dataset_vocab(const data::Dataset& ds) {
  ModelVocab v;
  v.kept = true;
  v.regions = ds.region_names();
  v.calendar_events = ds.calendar_event_names();
  for (const auto& f : ds.event_context_features()) v.context.push_back(f.vocab);
  for (const auto& f : ds.user_categorical_features()) v.user_categorical.push_back(f.vocab);
  return v;
}

void check_model_items(const std::string& dir, const data::Dataset& ds) {
  const std::string fpath = path_join(dir, "features.tbl");
  const std::string items_path = path_join(ds.dir(), "items.tbl");
  TableReader r(fpath, "model_features", kFeaturesVersion);
  const int32_t n_model = std::stoi(r.meta("num_items", "0"));
  STARS_CHECK_ARG(n_model >= ds.num_items(), fpath << ": the model knows " << n_model << " items, " << items_path << " has "
                                                   << ds.num_items() << ": it was trained on another dataset");
  if (!r.has_strings("item_ids")) return;  // written before item ids were kept
  const std::vector<std::string> ids = r.strings("item_ids");
  STARS_CHECK_DATA(ids.size() == static_cast<size_t>(n_model), fpath << ": " << ids.size() << " item ids for " << n_model << " items");
  int32_t first = -1, differ = 0;
  for (int32_t i = 0; i < ds.num_items(); ++i) {
    if (ids[i] == ds.item_raw_id(i)) continue;
    if (first < 0) first = i;
    ++differ;
  }
  if (first < 0) return;
  STARS_THROW(kInvalidArgument, fpath << ": the model was trained on other items than " << items_path << ": item "
                                      << first << " is '" << ids[first] << "' in the model, '"
                                      << ds.item_raw_id(first) << "' in the dataset (" << differ << " of "
                                      << ds.num_items() << " items differ); use the dataset the model was trained on");
}

}  // namespace stars::model
