// Shared fixture of the model and train tests: a tiny world dataset (stars/data/tiny_world.h) with
// synthetic item semantics (a text vector per item that encodes its group, and tags), in a temp directory.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "stars/core/random.h"
#include "stars/data/dataset.h"
#include "stars/data/tiny_world.h"
#include "stars/model/calendar_index.h"
#include "stars/model/feature_schema.h"
#include "stars/model/item_content.h"
#include "stars/semantics/item_semantics.h"

namespace stars::testing {

inline std::string temp_name_prefix() { return "stars_model_" + std::to_string(::getpid()) + "_"; }
inline std::string temp_prefix() { return (std::filesystem::path(::testing::TempDir()) / temp_name_prefix()).string(); }

// Removes this process's directories when the test program ends.
class TempCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (std::getenv("STARS_KEEP_TEST_DIRS") != nullptr) return;  // keep them for debugging
    const std::string prefix = temp_name_prefix();
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(::testing::TempDir(), ec)) {
      const std::string name = e.path().filename().string();
      if (name.compare(0, prefix.size(), prefix) == 0) std::filesystem::remove_all(e.path(), ec);
    }
  }
};
inline ::testing::Environment* const kTempCleanup = ::testing::AddGlobalTestEnvironment(new TempCleanup);

// A fresh directory unique to this process: test binaries of several checkouts may run at once.
inline std::string fresh_dir(const std::string& name) {
  const std::string d = temp_prefix() + name;
  std::filesystem::remove_all(d);
  return d;
}

// Writes DS/semantics with an 8-dim text vector per item (group direction + noise, L2-normalised) and the
// item's dataset tags.
inline void write_synthetic_semantics(const std::string& dir, int dim = 8) {
  auto ds = data::Dataset::open(dir);
  semantics::ItemSemantics s;
  s.num_items = ds->num_items();
  s.dim = dim;
  s.text.resize(static_cast<size_t>(s.num_items) * dim);
  Rng rng(3);
  for (int32_t i = 0; i < s.num_items; ++i) {
    const int32_t g = std::max(0, ds->item_subclass(i));
    double norm = 0;
    for (int d = 0; d < dim; ++d) {
      float v = static_cast<float>(0.3 * rng.normal()) + (d == g % dim ? 1.0f : 0.0f);
      s.text[static_cast<size_t>(i) * dim + d] = v;
      norm += v * v;
    }
    for (int d = 0; d < dim; ++d) s.text[static_cast<size_t>(i) * dim + d] /= static_cast<float>(std::sqrt(norm));
  }
  s.tag_names = ds->tag_names();
  s.tag_offsets.assign(1, 0);
  for (int32_t i = 0; i < s.num_items; ++i) {
    for (int32_t t : ds->item_tags(i)) s.tag_ids.push_back(t);
    s.tag_offsets.push_back(s.tag_ids.size());
  }
  s.text_hash.assign(s.num_items, 0);
  s.provider = "test";
  s.model = "synthetic";
  s.vocab_version = "test";
  semantics::save_item_semantics(dir, s);
}

// A tiny world with semantics; returns its directory.
inline std::string make_world(const std::string& name, const data::TinyWorldOptions& o = {}, bool semantics = true) {
  const std::string dir = fresh_dir(name);
  data::make_tiny_world(dir, o);
  if (semantics) write_synthetic_semantics(dir);
  return dir;
}

// A world opened the way the trainer and the encoder open one: dataset, item content, feature schema and calendar.
struct Built {
  std::unique_ptr<data::Dataset> ds;
  model::ItemContent content;
  model::FeatureSchema schema;
  model::CalendarIndex calendar;
};

inline Built open_world(const std::string& dir) {
  Built b;
  b.ds = data::Dataset::open(dir);
  b.content = model::load_item_content(*b.ds);
  b.schema = model::build_feature_schema(*b.ds, b.content);
  b.calendar = model::calendar_from_dataset(*b.ds);
  return b;
}

}  // namespace stars::testing
