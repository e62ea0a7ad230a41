#include "stars/semantics/item_semantics.h"

#include <algorithm>
#include <ctime>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/table_file.h"
#include "stars/core/time.h"

namespace stars::semantics {
namespace {
std::string table_path(const std::string& dataset_dir) { return path_join(path_join(dataset_dir, "semantics"), "items.tbl"); }
}  // namespace

bool has_item_semantics(const std::string& dataset_dir) { return file_exists(table_path(dataset_dir)); }

ItemSemantics load_item_semantics(const std::string& dataset_dir) {
  const std::string path = table_path(dataset_dir);
  if (!file_exists(path)) STARS_THROW(kNotFound, path << ": no item semantics (run stars enrich --data " << dataset_dir << ")");
  TableReader r(path, "item_semantics", kSemanticsVersion);
  ItemSemantics s;
  s.num_items = std::stoi(r.meta("num_items", "0"));
  s.dim = std::stoi(r.meta("dim", "0"));
  s.provider = r.meta("provider");
  s.model = r.meta("model");
  s.vocab_version = r.meta("vocab_version");
  auto text = r.column<float>("text");
  STARS_CHECK_DATA(text.size() == static_cast<size_t>(s.num_items) * s.dim,
                   path << ": text matrix has " << text.size() << " values, expected " << s.num_items << " x " << s.dim);
  s.text.assign(text.begin(), text.end());
  auto off = r.column<uint64_t>("tags.offsets");
  auto ids = r.column<int32_t>("tags.values");
  STARS_CHECK_DATA(off.size() == static_cast<size_t>(s.num_items) + 1, path << ": tag lists do not match the item count");
  s.tag_offsets.assign(off.begin(), off.end());
  s.tag_ids.assign(ids.begin(), ids.end());
  s.tag_names = r.strings("tag_names");
  for (int32_t t : s.tag_ids)
    STARS_CHECK_DATA(t >= 0 && t < static_cast<int32_t>(s.tag_names.size()), path << ": tag id " << t << " out of range");
  auto h = r.column<uint64_t>("text_hash");
  STARS_CHECK_DATA(h.size() == static_cast<size_t>(s.num_items), path << ": text_hash does not match the item count");
  s.text_hash.assign(h.begin(), h.end());
  if (r.has_strings("raw_id")) {
    s.raw_ids = r.strings("raw_id");
    STARS_CHECK_DATA(s.raw_ids.size() == static_cast<size_t>(s.num_items), path << ": raw_id does not match the item count");
  }
  return s;
}

void save_item_semantics(const std::string& dataset_dir, const ItemSemantics& s) {
  STARS_CHECK(s.text.size() == static_cast<size_t>(s.num_items) * s.dim, "text matrix size mismatch");
  STARS_CHECK(s.tag_offsets.size() == static_cast<size_t>(s.num_items) + 1, "tag offsets size mismatch");
  STARS_CHECK(s.text_hash.size() == static_cast<size_t>(s.num_items), "text hash size mismatch");
  STARS_CHECK(s.raw_ids.empty() || s.raw_ids.size() == static_cast<size_t>(s.num_items), "raw id count mismatch");
  make_directories(path_join(dataset_dir, "semantics"));
  TableWriter w("item_semantics", kSemanticsVersion);
  w.add_column("text", s.text);
  w.add_lists("tags", s.tag_offsets, s.tag_ids);
  w.add_strings("tag_names", s.tag_names);
  w.add_column("text_hash", s.text_hash);
  if (!s.raw_ids.empty()) w.add_strings("raw_id", s.raw_ids);
  w.set_meta("num_items", std::to_string(s.num_items));
  w.set_meta("dim", std::to_string(s.dim));
  w.set_meta("provider", s.provider);
  w.set_meta("model", s.model);
  w.set_meta("vocab_version", s.vocab_version);
  w.write(table_path(dataset_dir));

  int64_t with_text = 0, with_tags = 0;
  for (int32_t i = 0; i < s.num_items; ++i) {
    const float* v = s.text.data() + static_cast<size_t>(i) * s.dim;
    with_text += std::any_of(v, v + s.dim, [](float x) { return x != 0.0f; }) ? 1 : 0;
    with_tags += s.tag_offsets[i + 1] > s.tag_offsets[i] ? 1 : 0;
  }
  JsonObject p;
  p.set("format", "stars-item-semantics");
  p.set("version", static_cast<int>(kSemanticsVersion));
  p.set("provider", s.provider);
  p.set("model", s.model);
  p.set("dim", s.dim);
  p.set("vocab_version", s.vocab_version);
  p.set("num_items", s.num_items);
  p.set("num_tags", static_cast<int>(s.tag_names.size()));
  p.set("items_with_text_vector", with_text);
  p.set("items_with_tags", with_tags);
  p.set("created_at", format_iso8601(static_cast<int64_t>(std::time(nullptr))));
  write_text_file(path_join(path_join(dataset_dir, "semantics"), "provenance.json"), p.dump() + "\n");
}

}  // namespace stars::semantics
