// Builds the worlds the serve tests run on: a tiny prepared dataset exported through the fake encoder
// (with a model/ directory so the service loads the fake as its encoder), and random snapshots.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "fake_encoder.h"
#include "stars/core/mmap_file.h"
#include "stars/data/dataset.h"
#include "stars/data/tiny_world.h"
#include "stars/serve/memory_store.h"
#include "stars/serve/recommend_service.h"
#include "stars/serve/snapshot_export.h"
#include "stars/serve/snapshot_writer.h"

namespace stars::serve::testing {

constexpr int kDim = 16;
constexpr int kTextDim = 8;

// A fresh temporary directory, removed at destruction.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/stars_serve_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

// tiny world -> dataset -> snapshot (via FakeEncoder); returns the snapshot directory.
// `exclude_seen`: as exported from a model trained without users' earlier items. `edit` changes the
// exported data before it is written (e.g. to write a snapshot as an older version would have).
inline std::string make_tiny_snapshot(const TempDir& tmp, const std::string& name = "snap", uint64_t seed = 5,
                                      bool exclude_seen = false,
                                      const std::function<void(SnapshotData&)>& edit = nullptr) {
  const std::string ds_dir = tmp / "ds";
  if (!file_exists(ds_dir + "/manifest.json")) data::make_tiny_world(ds_dir);
  auto ds = data::Dataset::open(ds_dir);
  FakeEncoder enc(kDim, ds->num_items(), kTextDim, seed);
  ExportConfig cfg;
  cfg.threads = 2;
  cfg.batch_size = 7;
  cfg.history_len = 8;
  SnapshotData data = build_snapshot_data(*ds, enc, cfg);
  data.manifest.exclude_seen = exclude_seen;
  if (edit) edit(data);
  const std::string model_dir = tmp / ("model_" + name);
  make_directories(model_dir);
  write_text_file(model_dir + "/seed.txt", std::to_string(seed));
  SnapshotWriteOptions w;
  w.model_dir = model_dir;
  write_snapshot(tmp / name, data, w);
  return tmp / name;
}

// An encoder loader that builds the fake from model/seed.txt (as load_encoder would read weights).
inline EncoderLoader fake_encoder_loader(int32_t num_items, FakeEncoderOptions options = {}) {
  return [num_items, options](const std::string& dir) -> std::unique_ptr<model::Encoder> {
    const uint64_t seed = std::stoull(read_text_file(dir + "/seed.txt"));
    return std::make_unique<FakeEncoder>(kDim, num_items, kTextDim, seed, options);
  };
}

inline std::unique_ptr<RecommendService> make_service(const std::string& snapshot_dir, int32_t num_items,
                                                      std::unique_ptr<SessionStore> store = nullptr,
                                                      FakeEncoderOptions encoder = {}, ServiceLimits limits = {},
                                                      PopularityOptions popularity = {}) {
  if (!store) store = std::make_unique<MemoryStore>(StoreLimits{});
  auto svc = std::make_unique<RecommendService>(StateOptions{}, limits, std::move(store),
                                                fake_encoder_loader(num_items, std::move(encoder)), nullptr,
                                                std::move(popularity));
  svc->load(snapshot_dir);
  return svc;
}

// A service over the tiny exported world (default settings).
class TinyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_tiny_snapshot(tmp_);
    ds_ = data::Dataset::open(tmp_ / "ds");
    svc_ = make_service(dir_, ds_->num_items());
  }
  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<data::Dataset> ds_;
  std::unique_ptr<RecommendService> svc_;
};

}  // namespace stars::serve::testing
