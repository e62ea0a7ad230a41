#include <gtest/gtest.h>

#include <cmath>

#include "stars/core/mmap_file.h"
#include "stars/core/time.h"
#include "stars/data/dataset.h"
#include "test_files.h"

namespace stars::data {
namespace {

using testing::contains;
using testing::fresh_dir;
using testing::try_prepare;
using testing::write_file;

std::string native_world(const std::string& name) {
  const std::string d = fresh_dir(name);
  write_file(d, "items.csv",
             "item_id,title,description,category,brand,price,tags,in_stock,regions,pack\n"
             "sc1,Sour Cream,\"Rich, thick\",Dairy > Cream > Sour Cream,Acme,2.5,organic|vegan,1,north|south,6\n"
             "sc2,Light Sour Cream,,Dairy > Cream > Sour Cream,Bmart,,,no,,\n"
             "br1,Bread,,Bakery > Bread,,1.25,gluten-free,yes,,\n");
  write_file(d, "users.csv", "user_id,age,channel,zip\nu1,31,app,02139\nu2,,web,10001\n");
  write_file(d, "events.csv",
             "user_id,item_id,timestamp,event_type,session_id,page_id,region,device\n"
             "u1,sc1,2024-03-01T08:30:00Z,view,s1,p1,north,ios\n"
             "u1,sc1,1709282000,add_to_cart,s1,p1,north,ios\n"
             "u2,br1,2024-03-01,purchase,s2,,south,\n"
             "u1,br1,1709290000000,buy,s1,p2,north,android\n"
             "u3,sc2,2024-03-02T00:00:00+02:00,click,,,,\n");
  write_file(d, "impressions.csv", "page_id,item_id\np1,sc1\np1,sc2\np2,br1\np9,sc2\n");
  write_file(d, "calendar.csv", "date,region,easter,bbq_promo\n2024-03-31,,1,\n2024-06-01,south,0,yes\n");
  return d;
}

TEST(NativeReader, ReadsEveryFileAndField) {
  PrepareResult res;
  auto ds = testing::prepare_and_open(native_world("native_full"), "native_full_out", &res);
  ASSERT_TRUE(ds);
  EXPECT_EQ(res.format, "native");
  EXPECT_EQ(ds->num_items(), 3);
  EXPECT_EQ(ds->num_users(), 3);
  EXPECT_EQ(ds->num_events(), 5);
  EXPECT_TRUE(ds->info().has_time);
  EXPECT_TRUE(ds->info().has_event_types);
  EXPECT_TRUE(ds->info().has_sessions);
  EXPECT_TRUE(ds->info().has_regions);
  const int32_t sc1 = *ds->find_item("sc1"), sc2 = *ds->find_item("sc2"), br1 = *ds->find_item("br1");
  EXPECT_EQ(ds->item_title(sc1), "Sour Cream");
  EXPECT_EQ(ds->item_description(sc1), "Rich, thick");
  EXPECT_EQ(ds->item_category(sc1), "Dairy > Cream > Sour Cream");
  EXPECT_EQ(ds->item_subclass(sc1), ds->item_subclass(sc2)) << "same leaf, same subclass";
  EXPECT_NE(ds->item_subclass(sc1), ds->item_subclass(br1));
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(br1)], "Bread");
  EXPECT_EQ(ds->brand_names()[ds->item_brand(sc1)], "Acme");
  EXPECT_FLOAT_EQ(ds->item_price(sc1), 2.5f);
  EXPECT_TRUE(std::isnan(ds->item_price(sc2)));
  EXPECT_FALSE(ds->item_in_stock(sc2));
  std::vector<std::string> tags;
  for (int32_t t : ds->item_tags(sc1)) tags.push_back(ds->tag_names()[t]);
  EXPECT_EQ(tags, (std::vector<std::string>{"organic", "vegan", "pack=6"})) << "extra item columns become tags";
  EXPECT_EQ(ds->item_regions(sc1).size(), 2u);
  EXPECT_EQ(ds->item_regions(sc2).size(), 0u);

  // Events of u1 in time order: 2024-03-01T08:30Z = 1709281800 < 1709282000 < 1709290000 (ms in the file).
  const int32_t u1 = *ds->find_user("u1");
  auto e = ds->user_events(u1);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e.ts[0], 1709281800);
  EXPECT_EQ(e.types[0], static_cast<uint8_t>(EventType::kView));
  EXPECT_EQ(e.ts[1], 1709282000);
  EXPECT_EQ(e.types[1], static_cast<uint8_t>(EventType::kCart));
  EXPECT_EQ(e.ts[2], 1709290000) << "13-digit milliseconds";
  EXPECT_EQ(e.types[2], static_cast<uint8_t>(EventType::kPurchase));
  EXPECT_EQ(e.sessions[0], e.sessions[2]);
  EXPECT_EQ(ds->page_raw_id(e.pages[0]), "p1");
  EXPECT_EQ(ds->region_names()[e.regions[0]], "north");
  ASSERT_EQ(ds->event_context_features().size(), 1u);
  EXPECT_EQ(ds->event_context_features()[0].name, "device");
  const uint64_t first = ds->user_offsets()[u1];
  EXPECT_EQ(ds->event_context_features()[0].vocab[ds->event_context(0)[first + 2]], "android");
  const int32_t u3 = *ds->find_user("u3");
  EXPECT_EQ(ds->user_events(u3).ts[0], 1709337600 - 7200) << "+02:00 offset";
  EXPECT_EQ(ds->user_events(u3).pages[0], -1);

  ASSERT_EQ(ds->user_numeric_names(), (std::vector<std::string>{"age", "zip"})) << "zip codes look numeric";
  EXPECT_FLOAT_EQ(ds->user_numeric(0)[u1], 31.0f);
  EXPECT_TRUE(std::isnan(ds->user_numeric(0)[*ds->find_user("u2")]));
  ASSERT_EQ(ds->user_categorical_features().size(), 1u);
  EXPECT_EQ(ds->user_categorical_features()[0].name, "channel");

  EXPECT_EQ(ds->num_pages(), 3);
  for (int32_t p = 0; p < ds->num_pages(); ++p)
    if (ds->page_raw_id(p) == "p1") {
      EXPECT_EQ(ds->page_items(p).size(), 2u);
    }
  EXPECT_EQ(ds->calendar_event_names().size(), 2u);
  auto day = [](int y, int m, int d) { return days_from_civil(y, m, d); };
  EXPECT_EQ(ds->active_calendar_events(day(2024, 3, 31), 0).size(), 1u);
  const int32_t south = static_cast<int32_t>(
      std::find(ds->region_names().begin(), ds->region_names().end(), "south") - ds->region_names().begin());
  EXPECT_EQ(ds->active_calendar_events(day(2024, 6, 1), south).size(), 1u);
  EXPECT_EQ(ds->active_calendar_events(day(2024, 6, 1), 0).size(), 0u);
}

TEST(NativeReader, JsonlGivesTheSameDatasetAsCsv) {
  const std::string d = fresh_dir("native_jsonl");
  write_file(d, "items.jsonl",
             "{\"item_id\": \"a\", \"title\": \"A\", \"tags\": [\"x\", \"y\"], \"price\": 1.5}\n"
             "{\"item_id\": \"b\", \"category\": \"C > D\"}\n");
  write_file(d, "events.jsonl",
             "{\"user_id\": \"u\", \"item_id\": \"a\", \"timestamp\": 100}\n"
             "{\"user_id\": \"u\", \"item_id\": \"b\", \"timestamp\": 50, \"device\": \"ios\"}\n");
  const std::string out = fresh_dir("native_jsonl_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_events(), 2);
  auto e = ds->user_events(0);
  EXPECT_EQ(e.items[0], *ds->find_item("b"));
  EXPECT_EQ(ds->tag_names().size(), 2u);
  EXPECT_FLOAT_EQ(ds->item_price(*ds->find_item("a")), 1.5f);
  ASSERT_EQ(ds->event_context_features().size(), 1u);
  EXPECT_EQ(ds->event_context(0)[0], 1) << "context column that appears late is back-filled with 'missing'";
  EXPECT_EQ(ds->event_context(0)[1], 0);
}

struct BadCase {
  const char* file;
  const char* content;
  RowError reason;
  int64_t line;
  const char* text;  // part of the message
};

TEST(NativeReader, EveryBadRowReasonNamesFileAndLine) {
  const std::string items = "item_id,title,price,in_stock\na,A,1,1\nb,B,2,1\n";
  const std::vector<BadCase> cases = {
      {"events.csv", "user_id,item_id,timestamp\nu,a,1\nu,b\n", RowError::kColumnCount, 3, "expected 3 fields"},
      {"events.csv", "user_id,item_id,timestamp\nu,a,1\nu,b,yesterday\n", RowError::kBadTime, 3, "yesterday"},
      {"events.csv", "user_id,item_id\nu,a\nu,zzz\n", RowError::kUnknownItem, 3, "zzz"},
      {"events.csv", "user_id,item_id\nu,a\n,a\n", RowError::kEmptyId, 3, "user_id"},
      {"events.csv", "user_id,item_id,event_type\nu,a,view\nu,a,wishlist\n", RowError::kBadValue, 3, "event_map"},
      {"events.csv", "user_id,item_id\nu,a\nu,\"a\n", RowError::kBadQuote, 3, "quoted"},
      {"events.csv", "user_id,item_id\nu,a\nu\xFF,a\n", RowError::kInvalidUtf8, 3, "UTF-8"},
      {"items.csv", "item_id,title,price,in_stock\na,A,1,1\nb,B,2,1\na,A2,2,1\n", RowError::kDuplicateId, 4, "appears twice"},
      {"items.csv", "item_id,title,price,in_stock\na,A,1,1\nb,B,cheap,1\n", RowError::kBadNumber, 3, "cheap"},
      {"items.csv", "item_id,title,price,in_stock\na,A,1,1\nb,B,2,maybe\n", RowError::kBadValue, 3, "maybe"},
      {"users.csv", "user_id,age\nu,3\nu,4\n", RowError::kDuplicateId, 3, "appears twice"},
      {"calendar.csv", "date,xmas\n2024-12-25,1\n2024-13-45,1\n", RowError::kBadTime, 3, "2024-13-45"},
      {"impressions.csv", "page_id,item_id\np,a\np,nope\n", RowError::kUnknownItem, 3, "nope"},
      {"events.jsonl", "{\"user_id\": \"u\", \"item_id\": \"a\"}\n{\"user_id\": \"u\", \"item_id\": }\n", RowError::kBadJson, 2, "missing value"},
  };
  int k = 0;
  for (const auto& c : cases) {
    const std::string d = fresh_dir("bad" + std::to_string(k++));
    write_file(d, "items.csv", items);
    if (std::string(c.file).rfind("events", 0) != 0) write_file(d, "events.csv", "user_id,item_id\nu,a\nu,b\n");
    const std::string path = write_file(d, c.file, c.content);
    ErrorCode code = ErrorCode::kInternal;
    const std::string msg = try_prepare(d, fresh_dir("bad_out"), OnError::kFail, nullptr, {}, "", &code);
    SCOPED_TRACE(std::string(c.file) + ": " + c.content);
    EXPECT_EQ(code, ErrorCode::kCorrupt);
    const std::string where = path + ":" + std::to_string(c.line) + ": " + row_error_name(c.reason);
    EXPECT_TRUE(contains(msg, where)) << "expected '" << where << "' in: " << msg;
    EXPECT_TRUE(contains(msg, c.text)) << msg;
    // Skip mode drops the row and counts it under its reason.
    PrepareResult res;
    const std::string skip_msg = try_prepare(d, fresh_dir("bad_out"), OnError::kSkip, &res);
    EXPECT_EQ(skip_msg, "");
    EXPECT_GE(res.bad_rows, 1);
    EXPECT_TRUE(contains(res.errors_summary, std::string(row_error_name(c.reason)) + " 1")) << res.errors_summary;
  }
}

TEST(NativeReader, SkipModeCountsPerReasonAndKeepsGoodRows) {
  const std::string d = fresh_dir("skip");
  write_file(d, "events.csv",
             "user_id,item_id,timestamp\n"
             "u1,a,1\nu1,b,x\nu1,c\nu2,a,3\nu2,,4\nu2,c,5\nu3,a,bad\n");
  PrepareResult res;
  const std::string out = fresh_dir("skip_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kSkip, &res), "");
  EXPECT_EQ(res.events, 3);
  EXPECT_EQ(res.bad_rows, 4);
  EXPECT_TRUE(contains(res.errors_summary, "bad_time 2")) << res.errors_summary;
  EXPECT_TRUE(contains(res.errors_summary, "column_count 1"));
  EXPECT_TRUE(contains(res.errors_summary, "empty_id 1"));
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_users(), 2) << "a user whose only row was bad is not created";
  EXPECT_TRUE(contains(read_text_file(out + "/stats.json"), "\"bad_time\": 2"));
  // Fail mode stops with the first errors listed.
  const std::string msg = try_prepare(d, fresh_dir("skip_out2"), OnError::kFail);
  EXPECT_TRUE(contains(msg, "events.csv:3: bad_time")) << msg;
  EXPECT_TRUE(contains(msg, "events.csv:4: column_count")) << msg;
}

TEST(NativeReader, ParallelReaderGivesTheSameDatasetAndErrors) {
  // Enough rows for several batches, with bad rows spread over them, read with one and two threads.
  const std::string d = fresh_dir("pipeline");
  std::string items = "item_id\n", ev = "user_id,item_id,timestamp,event_type,session_id,page_id,region,device\n";
  for (int i = 0; i < 500; ++i) items += "i" + std::to_string(i) + "\n";
  for (int64_t k = 0; k < 40000; ++k) {
    const int64_t u = (k * 7919) % 3001, i = (k * 104729) % 520;  // items >= 500 are unknown
    std::string line = "u" + std::to_string(u) + ",i" + std::to_string(i) + ",";
    line += k % 9973 == 5 ? std::string("never") : std::to_string(1700000000 + k);
    line += k % 3 ? ",view" : ",purchase";
    line += ",s" + std::to_string(u) + "-" + std::to_string(k / 5000) + ",";
    if (k % 4) line += "p" + std::to_string(k / 3);
    line += k % 2 ? ",north" : ",";
    line += k % 5 ? ",ios\n" : ",web\n";
    ev += line;
  }
  write_file(d, "items.csv", items);
  write_file(d, "events.csv", ev);
  PrepareResult r1, r2;
  const std::string o1 = fresh_dir("pipeline_1"), o2 = fresh_dir("pipeline_2");
  ASSERT_EQ(try_prepare(d, o1, OnError::kSkip, &r1, {"threads=1"}), "");
  ASSERT_EQ(try_prepare(d, o2, OnError::kSkip, &r2, {"threads=2"}), "");
  EXPECT_EQ(r1.errors_summary, r2.errors_summary);
  EXPECT_GT(r1.bad_rows, 100);
  EXPECT_EQ(read_text_file(o1 + "/stats.json"), read_text_file(o2 + "/stats.json"));
  for (const char* f : {"events.tbl", "items.tbl", "users.tbl", "impressions.tbl"})
    EXPECT_EQ(read_text_file(o1 + "/" + f), read_text_file(o2 + "/" + f)) << f;
  // Fail mode stops in the parallel reader too, listing the first errors in line order.
  const std::string m1 = try_prepare(d, fresh_dir("pipeline_3"), OnError::kFail, nullptr, {"threads=1"});
  const std::string m2 = try_prepare(d, fresh_dir("pipeline_4"), OnError::kFail, nullptr, {"threads=2"});
  EXPECT_EQ(m1, m2);
  EXPECT_TRUE(contains(m2, "unknown_item")) << m2;
}

TEST(NativeReader, FailModeStopsAtMaxErrors) {
  const std::string d = fresh_dir("maxerr");
  std::string ev = "user_id,item_id,timestamp\n";
  for (int i = 0; i < 100; ++i) ev += "u,i,never\n";
  write_file(d, "events.csv", ev);
  PrepareRequest r;
  r.input = d;
  r.out = fresh_dir("maxerr_out");
  r.max_errors = 3;
  try {
    prepare_dataset(r);
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_TRUE(contains(m, "3 bad rows")) << m;
    EXPECT_TRUE(contains(m, "events.csv:4:"));
    EXPECT_FALSE(contains(m, "events.csv:5:"));
  }
}

TEST(NativeReader, MissingRequiredColumnIsAHeaderError) {
  const std::string d = fresh_dir("missing_col");
  const std::string p = write_file(d, "events.csv", "user,item_id\nu,a\n");
  ErrorCode code;
  const std::string msg = try_prepare(d, fresh_dir("mc_out"), OnError::kSkip, nullptr, {}, "", &code);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_TRUE(contains(msg, p + ":1: missing required column 'user_id'")) << msg;
  EXPECT_TRUE(contains(msg, "header: user, item_id")) << msg;
  // ... and a rename fixes it.
  EXPECT_EQ(try_prepare(d, fresh_dir("mc_out"), OnError::kFail, nullptr, {"column.user_id=user"}), "");
}

TEST(NativeReader, EventMapUserTypesAndUnknownKeys) {
  const std::string d = fresh_dir("maps");
  write_file(d, "users.csv", "user_id,zip,score\nu1,02139,1.5\nu2,10001,2\n");
  write_file(d, "events.csv", "user_id,item_id,event_type\nu1,a,wishlist\nu1,b,remove\nu2,a,VIEW\n");
  PrepareResult res;
  const std::string out = fresh_dir("maps_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kFail, &res,
                        {"event_map.wishlist=cart", "event_map.remove=ignore", "user_types.zip=categorical"}),
            "");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_events(), 2) << "ignored types are dropped";
  EXPECT_EQ(ds->user_events(0).types[0], static_cast<uint8_t>(EventType::kCart));
  ASSERT_EQ(ds->user_categorical_features().size(), 1u);
  EXPECT_EQ(ds->user_categorical_features()[0].name, "zip");
  EXPECT_EQ(ds->user_categorical_features()[0].vocab[ds->user_categorical(0)[0]], "02139") << "leading zero kept";
  EXPECT_EQ(ds->user_numeric_names(), (std::vector<std::string>{"score"}));
  bool noted = false;
  for (const auto& n : res.report.notes) noted = noted || contains(n, "score (inferred)");
  EXPECT_TRUE(noted);

  PrepareRequest r;
  EXPECT_THROW(r.config.apply_set("no_such_key=1"), Error);
  EXPECT_THROW(r.config.apply_set("event_map.x=teleport"), Error);
  EXPECT_THROW(r.config.apply_set("user_types.x=text"), Error);
  r.config.apply_set("cold_item_fraction=0.9");
  EXPECT_THROW(r.config.validate(), Error) << "out-of-range values are caught by validate()";
}

TEST(NativeReader, ForcedNumericUserFeatureReportsBadNumbers) {
  const std::string d = fresh_dir("ut_num");
  const std::string p = write_file(d, "users.csv", "user_id,age\nu1,3\nu2,old\n");
  write_file(d, "events.csv", "user_id,item_id\nu1,a\n");
  const std::string msg = try_prepare(d, fresh_dir("ut_num_out"), OnError::kFail, nullptr, {"user_types.age=numeric"});
  EXPECT_TRUE(contains(msg, p + ":3: bad_number")) << msg;
  EXPECT_TRUE(contains(msg, "'old'")) << msg;
  EXPECT_EQ(try_prepare(d, fresh_dir("ut_num_out"), OnError::kFail), "") << "inferred categorical without the override";
}

TEST(NativeReader, UserTypesNamingNoColumnIsAnError) {
  const std::string d = fresh_dir("ut_bad");
  write_file(d, "users.csv", "user_id,age\nu1,3\n");
  write_file(d, "events.csv", "user_id,item_id\nu1,a\n");
  ErrorCode code;
  const std::string msg = try_prepare(d, fresh_dir("ut_out"), OnError::kFail, nullptr, {"user_types.agee=numeric"}, "", &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(msg, "agee")) << msg;
}

}  // namespace
}  // namespace stars::data
