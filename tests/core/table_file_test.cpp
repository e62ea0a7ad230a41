#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

#include "stars/core/npy.h"
#include "stars/core/table_file.h"

namespace stars {
namespace {

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "/stars_core_" + std::to_string(::getpid()) + "_" + name;
}

TEST(TableFile, RoundTripAllKinds) {
  const std::string path = temp_path("roundtrip.tbl");
  TableWriter w("events", 3);
  std::vector<int32_t> items = {5, -1, 7};
  std::vector<double> prices = {1.5, 2.25, 3.0};
  w.add_column("item", items);
  w.add_column("price", prices);
  w.add_strings("title", {"a", "", "héllo"});
  w.add_lists<int32_t>("tags", {0, 2, 2, 3}, {1, 2, 9});
  w.set_meta("source", "unit");
  w.write(path);

  TableReader r(path, "events", 3);
  auto it = r.column<int32_t>("item");
  ASSERT_EQ(it.size(), 3u);
  EXPECT_EQ(it[1], -1);
  EXPECT_DOUBLE_EQ(r.column<double>("price")[1], 2.25);
  EXPECT_EQ(r.string_at("title", 2), "héllo");
  EXPECT_EQ(r.strings("title")[1], "");
  EXPECT_EQ(r.rows("title"), 3u);
  EXPECT_EQ(r.column<int32_t>("tags.values")[2], 9);
  EXPECT_EQ(r.meta("source"), "unit");
  EXPECT_EQ(r.meta("missing", "x"), "x");
  EXPECT_FALSE(r.has("nothing"));
  EXPECT_THROW(r.column<float>("item"), Error);
}

TEST(TableFile, ReferencedColumnsEqualCopiedOnes) {
  const std::string a = temp_path("copied.tbl"), b = temp_path("referenced.tbl");
  const std::vector<int64_t> ts = {3, 1, 4, 1, 5};
  const std::vector<uint8_t> none;
  const std::vector<uint64_t> offsets = {0, 1, 1, 4};
  const std::string bytes = "xabc";
  TableWriter wa("t", 1), wb("t", 1);
  wa.add_column("ts", ts);
  wa.add_column("empty", none);
  wa.add_strings("names", {"x", "", "abc"});
  wb.add_column_ref("ts", ts.data(), ts.size());
  wb.add_column_ref("empty", none.data(), none.size());
  wb.add_strings_ref("names", offsets, bytes.data());
  wa.write(a);
  wb.write(b);
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  const std::string ca((std::istreambuf_iterator<char>(fa)), std::istreambuf_iterator<char>());
  const std::string cb((std::istreambuf_iterator<char>(fb)), std::istreambuf_iterator<char>());
  EXPECT_EQ(ca, cb) << "same bytes whether columns are copied or referenced";
  TableReader r(b, "t", 1);
  EXPECT_EQ(r.strings("names"), (std::vector<std::string>{"x", "", "abc"}));
  EXPECT_EQ(r.column<int64_t>("ts")[2], 4);
}

TEST(TableFile, RejectsWrongKindAndVersion) {
  const std::string path = temp_path("kind.tbl");
  TableWriter w("items", 1);
  w.add_column("x", std::vector<int32_t>{1});
  w.write(path);
  try {
    TableReader r(path, "events", 1);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("expected 'events'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(TableReader(path, "items", 2), Error);
}

TEST(TableFile, DetectsTruncationAndCorruption) {
  const std::string path = temp_path("corrupt.tbl");
  TableWriter w("events", 1);
  std::vector<float> v(1000, 1.0f);
  w.add_column("v", v);
  w.write(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Truncated.
  {
    std::ofstream out(path + ".trunc", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() - 100));
  }
  try {
    TableReader r(path + ".trunc", "events", 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  // One flipped data byte.
  std::string flipped = bytes;
  flipped[bytes.size() - 200] ^= 0x40;
  {
    std::ofstream out(path + ".flip", std::ios::binary);
    out.write(flipped.data(), static_cast<std::streamsize>(flipped.size()));
  }
  try {
    TableReader r(path + ".flip", "events", 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
  // Not a table at all.
  {
    std::ofstream out(path + ".txt");
    out << "user_id,item_id\n1,2\n" << std::string(100, 'x');
  }
  EXPECT_THROW(TableReader(path + ".txt", "events", 1), Error);
  EXPECT_THROW(TableReader(path + ".absent", "events", 1), Error);
}

TEST(Npy, RoundTrip) {
  const std::string path = temp_path("m.npy");
  std::vector<float> m = {1, 2, 3, 4, 5, 6};
  write_npy_f32(path, m.data(), 2, 3);
  auto a = read_npy_f32(path);
  ASSERT_EQ(a.shape.size(), 2u);
  EXPECT_EQ(a.shape[0], 2u);
  EXPECT_EQ(a.shape[1], 3u);
  EXPECT_EQ(a.data, m);
}

}  // namespace
}  // namespace stars
