#include <gtest/gtest.h>

#include "stars/core/error.h"
#include "stars/data/csv_reader.h"
#include "stars/data/jsonl_reader.h"
#include "test_files.h"

namespace stars::data {
namespace {

using testing::fresh_dir;
using testing::write_file;

std::vector<std::vector<std::string>> read_all(const std::string& path, CsvOptions o, std::vector<int64_t>* lines = nullptr,
                                               std::vector<std::string>* errors = nullptr) {
  CsvReader r(path, o);
  CsvRecord rec;
  std::vector<std::vector<std::string>> out;
  while (r.next(rec)) {
    out.emplace_back(rec.fields.begin(), rec.fields.end());
    if (lines) lines->push_back(rec.line);
    if (errors) errors->push_back(rec.error ? std::string(row_error_name(*rec.error)) : "");
  }
  return out;
}

TEST(CsvReader, QuotingNewlinesCrlfBomAndBlankLines) {
  const std::string dir = fresh_dir("csv_basic");
  const std::string p = write_file(dir, "a.csv",
                                   "\xEF\xBB\xBFid,text,n\r\n"
                                   "1,plain,3\r\n"
                                   "\r\n"
                                   "2,\"with, comma\",4\n"
                                   "3,\"line\nbreak and \"\"quote\"\"\",5\n"
                                   "4,,\n"
                                   "5,\"\",\"x\"");
  std::vector<int64_t> lines;
  CsvOptions o;
  CsvReader r(p, o);
  ASSERT_EQ(r.header(), (std::vector<std::string>{"id", "text", "n"})) << "BOM stripped, CRLF header";
  auto rows = read_all(p, o, &lines);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "plain", "3"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "with, comma", "4"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "line\nbreak and \"quote\"", "5"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"4", "", ""}));
  EXPECT_EQ(rows[4], (std::vector<std::string>{"5", "", "x"}));
  EXPECT_EQ(lines, (std::vector<int64_t>{2, 4, 5, 7, 8})) << "line numbers count blank lines and quoted newlines";
}

TEST(CsvReader, TinyBufferGivesTheSameRecords) {
  const std::string dir = fresh_dir("csv_tiny");
  std::string text = "a,b\n";
  for (int i = 0; i < 500; ++i)
    text += std::to_string(i) + ",\"q" + std::string(i % 37, 'x') + (i % 5 == 0 ? "\"\"\nmore" : "") + "\"\n";
  const std::string p = write_file(dir, "t.csv", text);
  CsvOptions big, small;
  small.buffer_bytes = 7;
  std::vector<int64_t> l1, l2;
  EXPECT_EQ(read_all(p, big, &l1), read_all(p, small, &l2));
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(l1.size(), 500u);
}

TEST(CsvReader, ReportsBadQuotesAndInvalidUtf8PerRecord) {
  const std::string dir = fresh_dir("csv_bad");
  const std::string p = write_file(dir, "b.csv", "a,b\n1,\"x\"y\n2,caf\xC3\xA9\n3,bad\xFF\n4,\"open");
  std::vector<std::string> errors;
  std::vector<int64_t> lines;
  auto rows = read_all(p, CsvOptions(), &lines, &errors);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(errors, (std::vector<std::string>{"bad_quote", "", "invalid_utf8", "bad_quote"}));
  EXPECT_EQ(rows[1][1], "caf\xC3\xA9");
  EXPECT_EQ(lines, (std::vector<int64_t>{2, 3, 4, 5}));
}

TEST(CsvReader, TabAndLineModes) {
  const std::string dir = fresh_dir("csv_modes");
  const std::string p = write_file(dir, "t.tsv", "1\t2 3\t\n\n4\t5\t6\n");
  CsvOptions tsv;
  tsv.delimiter = '\t';
  tsv.header = false;
  auto rows = read_all(p, tsv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "2 3", ""})) << "a trailing separator gives an empty field";
  CsvOptions lines;
  lines.delimiter = '\n';
  lines.quoting = false;
  lines.header = false;
  rows = read_all(p, lines);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"4\t5\t6"}));
}

TEST(CsvReader, MissingFileAndDuplicateHeader) {
  try {
    CsvReader r("/nonexistent/stars/file.csv", CsvOptions());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_TRUE(testing::contains(e.what(), "/nonexistent/stars/file.csv"));
  }
  const std::string dir = fresh_dir("csv_dup");
  const std::string p = write_file(dir, "d.csv", "a,b,a\n1,2,3\n");
  try {
    CsvReader r(p, CsvOptions());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorrupt);
    EXPECT_TRUE(testing::contains(e.what(), "appears twice")) << e.what();
  }
}

TEST(JsonlReader, FlatObjectsEscapesArraysAndGrowingColumns) {
  const std::string dir = fresh_dir("jsonl");
  const std::string p = write_file(dir, "e.jsonl",
                                   "{\"user_id\": \"u1\", \"item_id\": 7, \"ok\": true, \"x\": null}\n"
                                   "\n"
                                   "{\"item_id\":\"i\\\"2\\u00e9\\ud83d\\ude00\",\"user_id\":\"u2\",\"tags\":[\"a\",\"b\", 3]}\n"
                                   "{\"user_id\": \"u3\", \"nested\": {\"a\": 1}}\n"
                                   "[1, 2]\n"
                                   "{\"user_id\": \"u4\", \"user_id\": \"u5\"}\n"
                                   "{\"user_id\": \"u6\"} trailing\n");
  JsonlReader r(p, TabularOptions());
  TabularRow row;
  ASSERT_TRUE(r.next(row));
  EXPECT_FALSE(row.error);
  EXPECT_EQ(row.line, 1);
  EXPECT_EQ(row.values[r.column("item_id")], "7");
  EXPECT_EQ(row.values[r.column("ok")], "true");
  EXPECT_EQ(row.values[r.column("x")], "");
  ASSERT_TRUE(r.next(row));
  EXPECT_FALSE(row.error) << row.error_message;
  EXPECT_EQ(row.line, 3);
  EXPECT_EQ(row.values[r.column("item_id")], "i\"2\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(row.values[r.column("tags")], "a|b|3");
  EXPECT_EQ(row.values[r.column("ok")], "") << "absent keys are empty";
  for (int k = 0; k < 4; ++k) {
    ASSERT_TRUE(r.next(row));
    EXPECT_EQ(row.error, RowError::kBadJson) << "line " << row.line;
  }
  EXPECT_FALSE(r.next(row));
}

}  // namespace
}  // namespace stars::data
