#include <gtest/gtest.h>

#include "stars/core/args.h"
#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"

namespace stars {
namespace {

TEST(Strings, ParseNumbersStrictly) {
  int64_t i;
  double d;
  EXPECT_TRUE(parse_int64(" 42 ", &i));
  EXPECT_EQ(i, 42);
  EXPECT_FALSE(parse_int64("42x", &i));
  EXPECT_FALSE(parse_int64("", &i));
  EXPECT_TRUE(parse_double("1.5e3", &d));
  EXPECT_DOUBLE_EQ(d, 1500.0);
  EXPECT_FALSE(parse_double("nan", &d));
  EXPECT_FALSE(parse_double("1.2.3", &d));
}

TEST(Strings, Utf8Validation) {
  size_t bad = 0;
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));
  EXPECT_FALSE(is_valid_utf8("ab\xC3", &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(latin1_to_utf8("caf\xE9"), "caf\xC3\xA9");
}

TEST(Strings, SplitTrimJoin) {
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(trim("  x \r\n"), "x");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(json_escape("a\"b\n"), "a\\\"b\\n");
}

TEST(Time, ParsesUnixAndIso) {
  int64_t t;
  EXPECT_TRUE(parse_timestamp("881250949", &t));
  EXPECT_EQ(t, 881250949);
  EXPECT_TRUE(parse_timestamp("1700000000123", &t));  // milliseconds
  EXPECT_EQ(t, 1700000000);
  EXPECT_TRUE(parse_timestamp("1970-01-02", &t));
  EXPECT_EQ(t, 86400);
  EXPECT_TRUE(parse_timestamp("2024-03-01T08:30:00Z", &t));
  EXPECT_EQ(format_iso8601(t), "2024-03-01T08:30:00Z");
  int64_t t2;
  EXPECT_TRUE(parse_timestamp("2024-03-01T10:30:00+02:00", &t2));
  EXPECT_EQ(t, t2);
  EXPECT_TRUE(parse_timestamp("2024-03-01 08:30", &t2));
  EXPECT_EQ(t, t2);
  EXPECT_FALSE(parse_timestamp("2023-02-29", &t));
  EXPECT_FALSE(parse_timestamp("yesterday", &t));
  EXPECT_FALSE(parse_timestamp("2024-03-01T25:00:00", &t));
}

TEST(Time, CalendarParts) {
  int64_t t;
  ASSERT_TRUE(parse_timestamp("2024-03-01T08:30:00Z", &t));  // a Friday
  EXPECT_EQ(hour_of_day(t), 8);
  EXPECT_EQ(day_of_week(t), 4);
  EXPECT_EQ(day_of_year(t), 31 + 29);
  int64_t days;
  ASSERT_TRUE(parse_date("2000-02-29", &days));
  EXPECT_EQ(format_date(days), "2000-02-29");
  EXPECT_EQ(day_of_week(-1), 2);  // 1969-12-31 was a Wednesday
}

TEST(Args, ParsesTypedOptionsAndRejectsUnknown) {
  std::string out;
  int n = 5;
  bool resume = false;
  std::vector<std::string> sets;
  ArgParser p("demo", "a demo");
  p.add("out", &out, "output", true);
  p.add("n", &n, "count");
  p.add_flag("resume", &resume, "resume");
  p.add_multi("set", &sets, "override");
  const char* argv[] = {"stars", "demo", "--out", "x", "--n=7", "--resume", "--set", "a=1", "--set", "b=2"};
  ASSERT_TRUE(p.parse(10, const_cast<char**>(argv)));
  EXPECT_EQ(out, "x");
  EXPECT_EQ(n, 7);
  EXPECT_TRUE(resume);
  EXPECT_EQ(sets.size(), 2u);
  int m = 0;
  ArgParser q("demo", "a demo");
  q.add("n", &m, "count");
  const char* bad1[] = {"stars", "demo", "--bogus", "1"};
  EXPECT_THROW(q.parse(4, const_cast<char**>(bad1)), Error);
  const char* bad2[] = {"stars", "demo", "--n", "seven"};
  EXPECT_THROW(q.parse(4, const_cast<char**>(bad2)), Error);
  const char* bad3[] = {"stars", "demo", "--n"};
  EXPECT_THROW(q.parse(3, const_cast<char**>(bad3)), Error);
}

}  // namespace
}  // namespace stars
