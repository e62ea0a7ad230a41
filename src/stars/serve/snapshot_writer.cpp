#include "stars/serve/snapshot_writer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/npy.h"
#include "stars/core/table_file.h"
#include "stars/semantics/semantic_encoder.h"

namespace stars::serve {
namespace fs = std::filesystem;

namespace {

void check_csr(const std::vector<uint64_t>& offsets, size_t rows, size_t values, const char* name) {
  STARS_CHECK_ARG(offsets.size() == rows + 1, name << ": " << offsets.size() << " offsets for " << rows << " rows");
  STARS_CHECK_ARG(offsets[0] == 0 && offsets.back() == values, name << ": offsets must run from 0 to " << values);
  for (size_t i = 0; i < rows; ++i) STARS_CHECK_ARG(offsets[i] <= offsets[i + 1], name << ": offsets decrease at row " << i);
}

void check_codes(const std::vector<int32_t>& codes, int32_t lo, size_t hi, const char* name) {
  for (size_t i = 0; i < codes.size(); ++i)
    STARS_CHECK_ARG(codes[i] >= lo && codes[i] < static_cast<int64_t>(hi),
                    name << "[" << i << "] = " << codes[i] << " is outside [" << lo << ", " << hi << ")");
}

// Copies a trained model directory without its training-only files (the resumable checkpoint).
void copy_model_directory(const std::string& from, const std::string& to) {
  STARS_CHECK_ARG(fs::is_directory(from), "model directory '" << from << "' does not exist");
  make_directories(to);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(from, ec)) {
    const std::string name = e.path().filename().string();
    if (name == "checkpoint.tbl" || name.find(".tmp.") != std::string::npos) continue;
    fs::copy(e.path(), fs::path(to) / name, fs::copy_options::recursive, ec);
    if (ec) STARS_THROW(kIo, "copying '" << e.path().string() << "' to '" << to << "': " << ec.message());
  }
  if (ec) STARS_THROW(kIo, "reading model directory '" << from << "': " << ec.message());
}

}  // namespace

std::string new_snapshot_id() {
  std::random_device rd;
  const uint64_t a = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                     static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(a));
  return buf;
}

void validate_snapshot_data(const SnapshotData& d) {
  const auto& m = d.manifest;
  const size_t n = static_cast<size_t>(m.num_items), u = static_cast<size_t>(m.num_users), D = static_cast<size_t>(m.dim);
  STARS_CHECK_ARG(m.dim > 0 && m.dim <= 4096, "manifest.dim must be in [1, 4096], got " << m.dim);
  STARS_CHECK_ARG(d.item_raw_id.size() == n && d.item_title.size() == n && d.item_category.size() == n,
                  "item id/title/category columns must have num_items = " << n << " rows");
  STARS_CHECK_ARG(d.item_subclass.size() == n && d.item_department.size() == n && d.item_brand.size() == n &&
                      d.item_price.size() == n && d.item_in_stock.size() == n && d.item_popularity.size() == n,
                  "item attribute columns must have num_items = " << n << " rows");
  STARS_CHECK_ARG(d.item_first_popularity.empty() || d.item_first_popularity.size() == n,
                  "item_first_popularity has " << d.item_first_popularity.size() << " rows, expected 0 or num_items = " << n);
  for (size_t i = 0; i < d.item_first_popularity.size(); ++i)
    STARS_CHECK_ARG(std::isfinite(d.item_first_popularity[i]) && d.item_first_popularity[i] >= 0,
                    "item_first_popularity[" << i << "] must be a count >= 0, got " << d.item_first_popularity[i]);
  STARS_CHECK_ARG(d.item_vectors.size() == n * D, "item_vectors has " << d.item_vectors.size() << " floats, expected " << n * D);
  check_csr(d.item_region_offsets, n, d.item_region_ids.size(), "item_region_offsets");
  check_csr(d.item_tag_offsets, n, d.item_tag_ids.size(), "item_tag_offsets");
  check_codes(d.item_subclass, -1, d.subclasses.size(), "item_subclass");
  check_codes(d.item_department, -1, d.departments.size(), "item_department");
  check_codes(d.item_brand, 0, std::max<size_t>(1, d.brands.size()), "item_brand");
  check_codes(d.item_region_ids, 1, d.regions.size(), "item_region_ids");
  check_codes(d.item_tag_ids, 0, d.tags.size(), "item_tag_ids");
  for (size_t i = 0; i < n; ++i) STARS_CHECK_ARG(!d.item_raw_id[i].empty(), "item_raw_id[" << i << "] is empty");

  STARS_CHECK_ARG(d.user_raw_id.size() == u, "user_raw_id has " << d.user_raw_id.size() << " rows, expected " << u);
  STARS_CHECK_ARG(d.user_h_gen.size() == u * D && d.user_h_next.size() == u * D,
                  "user_h_gen / user_h_next must hold num_users * dim = " << u * D << " floats");
  const size_t e = d.hist_item.size(), f = d.event_context.size();
  check_csr(d.hist_offsets, u, e, "hist_offsets");
  STARS_CHECK_ARG(d.hist_ts.size() == e && d.hist_type.size() == e && d.hist_region.size() == e,
                  "history columns must have " << e << " rows");
  STARS_CHECK_ARG(d.hist_context.size() == e * f, "hist_context must hold events * context features = " << e * f);
  check_codes(d.hist_item, 0, n, "hist_item");
  check_codes(d.hist_region, 0, std::max<size_t>(1, d.regions.size()), "hist_region");
  check_csr(d.purchased_offsets, u, d.purchased_items.size(), "purchased_offsets");
  check_codes(d.purchased_items, 0, n, "purchased_items");
  STARS_CHECK_ARG(d.user_numeric.size() == u * d.user_numeric_names.size(),
                  "user_numeric must hold num_users * #numeric features floats");
  STARS_CHECK_ARG(d.user_categorical.size() == u * d.user_categorical_vocabs.size(),
                  "user_categorical must hold num_users * #categorical features codes");
  STARS_CHECK_ARG(d.regions.empty() || d.regions[0].empty(), "regions[0] must be the missing region \"\"");

  STARS_CHECK_ARG(d.cal_day.size() == d.cal_region.size(), "cal_day and cal_region differ in length");
  check_csr(d.cal_offsets, d.cal_day.size(), d.cal_events.size(), "cal_offsets");
  check_codes(d.cal_events, 0, d.calendar_events.size(), "cal_events");
  check_csr(d.region_pop_offsets, d.region_pop_offsets.size() - 1, d.region_pop_item.size(), "region_pop_offsets");
  STARS_CHECK_ARG(d.region_pop_offsets.size() <= std::max<size_t>(1, d.regions.size()) + 1,
                  "region_pop_offsets has more rows than regions");
  STARS_CHECK_ARG(d.region_pop_score.size() == d.region_pop_item.size(), "region_pop_score / region_pop_item differ");
  check_codes(d.region_pop_item, 0, n, "region_pop_item");
  check_csr(d.event_pop_offsets, d.event_pop_offsets.size() - 1, d.event_pop_item.size(), "event_pop_offsets");
  STARS_CHECK_ARG(d.event_pop_offsets.size() <= d.calendar_events.size() + 1, "event_pop_offsets has more rows than calendar events");
  STARS_CHECK_ARG(d.event_pop_score.size() == d.event_pop_item.size(), "event_pop_score / event_pop_item differ");
  check_codes(d.event_pop_item, 0, n, "event_pop_item");
}

void write_snapshot(const std::string& dir, SnapshotData& d, const SnapshotWriteOptions& options) {
  STARS_CHECK_ARG(!dir.empty(), "snapshot directory is empty");
  std::string out = dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  if (fs::exists(out) && !options.overwrite)
    STARS_THROW(kInvalidArgument, "snapshot directory '" << out << "' exists (pass --force to replace it)");
  d.manifest.has_model = !options.model_dir.empty();
  d.manifest.has_semantics = !options.semantics_dir.empty();
  if (d.manifest.snapshot_id.empty()) d.manifest.snapshot_id = new_snapshot_id();
  validate_snapshot_data(d);

  const std::string tmp = out + ".tmp." + std::to_string(getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  make_directories(tmp);
  try {
    const auto& m = d.manifest;
    {
      TableWriter t("snapshot.items", kSnapshotVersion);
      t.add_strings("raw_id", d.item_raw_id);
      t.add_strings("title", d.item_title);
      t.add_strings("category", d.item_category);
      t.add_column("subclass", d.item_subclass);
      t.add_column("department", d.item_department);
      t.add_column("brand", d.item_brand);
      t.add_column("price", d.item_price);
      t.add_column("in_stock", d.item_in_stock);
      t.add_lists("regions", d.item_region_offsets, d.item_region_ids);
      t.add_lists("tags", d.item_tag_offsets, d.item_tag_ids);
      t.add_column("vectors", d.item_vectors);
      t.add_column("popularity", d.item_popularity);
      // Left out when not given, as in snapshots written before it existed (readers count 0 then).
      if (!d.item_first_popularity.empty()) t.add_column("first_popularity", d.item_first_popularity);
      t.set_meta("dim", std::to_string(m.dim));
      t.write(path_join(tmp, snapshot_files::kItems));
    }
    {
      TableWriter t("snapshot.users", kSnapshotVersion);
      t.add_strings("raw_id", d.user_raw_id);
      t.add_column("h_gen", d.user_h_gen);
      t.add_column("h_next", d.user_h_next);
      t.add_column("hist.offsets", d.hist_offsets);
      t.add_column("hist.values", d.hist_item);  // the item column carries the CSR name
      t.add_column("hist_ts", d.hist_ts);
      t.add_column("hist_type", d.hist_type);
      t.add_column("hist_region", d.hist_region);
      t.add_column("hist_context", d.hist_context);
      t.add_lists("purchased", d.purchased_offsets, d.purchased_items);
      t.add_column("numeric", d.user_numeric);
      t.add_column("categorical", d.user_categorical);
      t.set_meta("dim", std::to_string(m.dim));
      t.write(path_join(tmp, snapshot_files::kUsers));
    }
    {
      TableWriter t("snapshot.vocab", kSnapshotVersion);
      t.add_strings("subclasses", d.subclasses);
      t.add_strings("departments", d.departments);
      t.add_strings("brands", d.brands);
      t.add_strings("regions", d.regions);
      t.add_strings("tags", d.tags);
      t.add_strings("calendar_events", d.calendar_events);
      t.add_strings("user_numeric_names", d.user_numeric_names);
      std::vector<std::string> cat_names, ctx_names;
      for (size_t i = 0; i < d.user_categorical_vocabs.size(); ++i) {
        cat_names.push_back(d.user_categorical_vocabs[i].name);
        t.add_strings("user_cat." + std::to_string(i), d.user_categorical_vocabs[i].values);
      }
      for (size_t i = 0; i < d.event_context.size(); ++i) {
        ctx_names.push_back(d.event_context[i].name);
        t.add_strings("event_ctx." + std::to_string(i), d.event_context[i].values);
      }
      t.add_strings("user_categorical_names", cat_names);
      t.add_strings("event_context_names", ctx_names);
      t.write(path_join(tmp, snapshot_files::kVocab));
    }
    {
      TableWriter t("snapshot.context", kSnapshotVersion);
      t.add_column("cal_day", d.cal_day);
      t.add_column("cal_region", d.cal_region);
      t.add_lists("cal_events", d.cal_offsets, d.cal_events);
      t.add_lists("region_pop", d.region_pop_offsets, d.region_pop_item);
      t.add_column("region_pop_score", d.region_pop_score);
      t.add_lists("event_pop", d.event_pop_offsets, d.event_pop_item);
      t.add_column("event_pop_score", d.event_pop_score);
      t.write(path_join(tmp, snapshot_files::kContext));
    }
    if (options.write_npy) {
      write_npy_f32(path_join(tmp, snapshot_files::kUserGenNpy), d.user_h_gen.data(), m.num_users, m.dim);
      write_npy_f32(path_join(tmp, snapshot_files::kUserNextNpy), d.user_h_next.data(), m.num_users, m.dim);
      write_npy_f32(path_join(tmp, snapshot_files::kItemVectorsNpy), d.item_vectors.data(), m.num_items, m.dim);
    }
    if (!options.model_dir.empty()) copy_model_directory(options.model_dir, path_join(tmp, snapshot_files::kModelDir));
    if (!options.semantics_dir.empty())
      semantics::copy_semantic_encoder_files(options.semantics_dir, path_join(tmp, snapshot_files::kSemanticsDir));
    write_text_file(path_join(tmp, snapshot_files::kManifest), manifest_to_json(m));

    if (fs::exists(out)) {
      const std::string old = out + ".old." + std::to_string(getpid());
      fs::rename(out, old);
      fs::rename(tmp, out);
      fs::remove_all(old, ec);
    } else {
      fs::rename(tmp, out);
    }
  } catch (const Error&) {
    fs::remove_all(tmp, ec);
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(tmp, ec);
    STARS_THROW(kIo, "writing snapshot '" << out << "': " << e.what());
  }
}

}  // namespace stars::serve
