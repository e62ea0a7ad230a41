// Snapshot export and reading: round trip, .npy copies, atomic writes, and every kind of corruption is
// an error naming the file (never a crash).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "stars/core/error.h"
#include "stars/core/npy.h"
#include "stars/serve/random_snapshot.h"
#include "stars/serve/snapshot.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using testing::TempDir;

void expect_error(const std::function<void()>& fn, ErrorCode code, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "expected an error mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Snapshot, ExportRoundTripFromDataset) {
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp);
  auto ds = data::Dataset::open(tmp / "ds");
  auto snap = Snapshot::open(dir);
  const auto& m = snap->manifest();
  EXPECT_EQ(m.num_users, ds->num_users());
  EXPECT_EQ(m.num_items, ds->num_items());
  EXPECT_EQ(m.dim, testing::kDim);
  EXPECT_TRUE(m.has_model);
  EXPECT_GT(m.users_per_second, 0.0);
  EXPECT_EQ(m.snapshot_id.size(), 16u);
  EXPECT_FALSE(std::filesystem::exists(dir + ".tmp." + std::to_string(getpid())));
  EXPECT_TRUE(file_exists(dir + "/model/seed.txt"));

  // Vectors equal what the encoder computes for the same window.
  testing::FakeEncoder enc(testing::kDim, ds->num_items());
  std::vector<float> items(static_cast<size_t>(ds->num_items()) * testing::kDim);
  enc.item_vectors(items.data());
  for (size_t i = 0; i < items.size(); ++i) ASSERT_EQ(snap->item_vectors()[i], items[i]);
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    EXPECT_EQ(snap->user_raw_id(u), ds->user_raw_id(u));
    EXPECT_EQ(*snap->find_user(ds->user_raw_id(u)), u);
    const auto h = snap->history(u);
    const auto ev = ds->user_events(u);
    ASSERT_EQ(h.size(), std::min<size_t>(8, ev.size()));
    EXPECT_EQ(h.items.back(), ev.items[ev.size() - 1]);  // the most recent events are kept
    const float* last = snap->item_vectors().data() + static_cast<size_t>(h.items.back()) * testing::kDim;
    for (int d = 0; d < testing::kDim; ++d) EXPECT_EQ(snap->h_next(u)[d], last[d]);
    // purchases: every third event of the tiny world
    for (int32_t i : snap->purchased(u)) EXPECT_GE(i, 0);
  }
  EXPECT_FALSE(snap->find_user("nobody").has_value());
  for (int32_t i = 0; i < ds->num_items(); ++i) {
    EXPECT_EQ(snap->item_raw_id(i), ds->item_raw_id(i));
    EXPECT_EQ(snap->item_title(i), ds->item_title(i));
    EXPECT_EQ(snap->item_subclass()[i], ds->item_subclass(i));
    EXPECT_EQ(snap->item_in_stock()[i] != 0, ds->item_in_stock(i));
  }
  EXPECT_EQ(snap->subclasses(), ds->subclass_names());
  ASSERT_EQ(snap->user_categorical_vocabs().size(), 1u);
  EXPECT_EQ(snap->user_categorical_vocabs()[0].name, "region");
  // The calendar of the tiny world: "launch_day" on its first day.
  ASSERT_EQ(snap->calendar_events().size(), 1u);
  EXPECT_EQ(snap->active_calendar_events(1700000000 / 86400, 0), std::vector<int32_t>{0});
  EXPECT_TRUE(snap->active_calendar_events(1700000000 / 86400 + 1, 0).empty());
  // numpy copies
  const auto npy = read_npy_f32(dir + "/user_h_next.npy");
  ASSERT_EQ(npy.shape, (std::vector<uint64_t>{static_cast<uint64_t>(ds->num_users()), static_cast<uint64_t>(testing::kDim)}));
  EXPECT_EQ(npy.data[5], snap->h_next(0)[5]);
}

TEST(Snapshot, RandomSnapshotRoundTrip) {
  TempDir tmp;
  RandomSnapshotOptions o;
  o.users = 50;
  o.items = 300;
  o.dim = 8;
  SnapshotData d = make_random_snapshot(o);
  write_snapshot(tmp / "r", d, {});
  auto s = Snapshot::open(tmp / "r");
  EXPECT_FALSE(s->manifest().has_model);
  EXPECT_EQ(s->num_items(), 300);
  for (int32_t i = 0; i < 300; ++i) {
    const auto r = s->item_regions(i);
    const std::vector<int32_t> want(d.item_region_ids.begin() + d.item_region_offsets[i],
                                    d.item_region_ids.begin() + d.item_region_offsets[i + 1]);
    EXPECT_EQ(r.to_vector(), want);
  }
  for (size_t i = 0; i < d.user_h_gen.size(); ++i) ASSERT_EQ(s->h_gen(0)[i], d.user_h_gen[i]);
}

TEST(Snapshot, RefusesToOverwriteAndWritesAtomically) {
  TempDir tmp;
  RandomSnapshotOptions o;
  o.users = 5;
  o.items = 20;
  SnapshotData d = make_random_snapshot(o);
  write_snapshot(tmp / "s", d, {});
  const std::string first = Snapshot::open(tmp / "s")->manifest().snapshot_id;
  expect_error([&] { write_snapshot(tmp / "s", d, {}); }, ErrorCode::kInvalidArgument, "exists");
  SnapshotWriteOptions w;
  w.overwrite = true;
  d.manifest.snapshot_id.clear();
  write_snapshot(tmp / "s", d, w);
  EXPECT_NE(Snapshot::open(tmp / "s")->manifest().snapshot_id, first);
  // Invalid data: nothing is written, no temporary left behind.
  SnapshotData bad = make_random_snapshot(o);
  bad.item_vectors.pop_back();
  expect_error([&] { write_snapshot(tmp / "bad", bad, {}); }, ErrorCode::kInvalidArgument, "item_vectors");
  EXPECT_FALSE(std::filesystem::exists(tmp / "bad"));
  bad = make_random_snapshot(o);
  bad.hist_item[0] = 999;
  expect_error([&] { write_snapshot(tmp / "bad", bad, {}); }, ErrorCode::kInvalidArgument, "hist_item");
  for (const auto& e : std::filesystem::directory_iterator(tmp.path))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

class SnapshotCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    RandomSnapshotOptions o;
    o.users = 40;
    o.items = 100;
    o.dim = 8;
    SnapshotData d = make_random_snapshot(o);
    write_snapshot(dir(), d, {});
  }
  std::string dir() const { return tmp_ / "snap"; }
  TempDir tmp_;
};

TEST_F(SnapshotCorruption, FlippedBytesInDataAreAChecksumError) {
  // Bytes in the middle of the file lie inside the user matrices (alignment padding is not covered).
  const std::string f = dir() + "/users.tbl";
  const auto size = std::filesystem::file_size(f);
  std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
  for (auto pos : {size / 3, size / 2, 2 * size / 3}) {
    char c;
    io.seekg(static_cast<std::streamoff>(pos));
    io.read(&c, 1);
    c ^= 0x5a;
    io.seekp(static_cast<std::streamoff>(pos));
    io.write(&c, 1);
  }
  io.close();
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "users.tbl");
}

TEST_F(SnapshotCorruption, TruncatedFile) {
  const std::string f = dir() + "/items.tbl";
  std::filesystem::resize_file(f, std::filesystem::file_size(f) / 2);
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "items.tbl");
}

TEST_F(SnapshotCorruption, WrongMagic) {
  const std::string f = dir() + "/vocab.tbl";
  std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
  io.write("NOTSTARS", 8);
  io.close();
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "vocab.tbl");
}

TEST_F(SnapshotCorruption, SwappedFiles) {
  std::filesystem::copy_file(dir() + "/items.tbl", dir() + "/context.tbl", std::filesystem::copy_options::overwrite_existing);
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "context.tbl");
}

TEST_F(SnapshotCorruption, ManifestProblems) {
  const std::string m = dir() + "/manifest.json";
  const std::string good = read_text_file(m);
  write_text_file(m, "{not json");
  EXPECT_THROW(Snapshot::open(dir()), Error);
  std::string v2 = good;
  v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 7");
  write_text_file(m, v2);
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "version 7");
  std::string wrong_count = good;
  wrong_count.replace(wrong_count.find("\"num_items\": 100"), 16, "\"num_items\": 101");
  write_text_file(m, wrong_count);
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kCorrupt, "items.tbl");
  std::filesystem::remove(m);
  expect_error([&] { Snapshot::open(dir()); }, ErrorCode::kNotFound, "manifest.json");
  expect_error([&] { Snapshot::open(tmp_ / "nowhere"); }, ErrorCode::kNotFound, "nowhere");
}

}  // namespace
}  // namespace stars::serve
