// `stars prepare` and `stars stats` as a user runs them: exit codes (2 bad argument, 3 not found, 4 bad
// input), the bad-row listing on stderr and the printed summary.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "test_files.h"

namespace stars::data {
namespace {

using testing::contains;
using testing::fresh_dir;
using testing::write_file;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

CliRun stars(const std::string& args) {
  const std::string cmd = std::string(STARS_BINARY_DIR) + "/bin/stars " + args + " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(Cli, PrepareExitCodesAndMessages) {
  const std::string d = fresh_dir("cli_in");
  const std::string ev = write_file(d, "events.csv", "user_id,item_id,timestamp\nu1,a,1\nu1,b,2\nu1,c,oops\nu2,a,4\n");
  const std::string out = fresh_dir("cli_out");

  CliRun r = stars("prepare --input " + d + " --out " + out);
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_TRUE(contains(r.out, ev + ":4: bad_time")) << r.out;

  r = stars("prepare --input " + d + " --out " + out + " --on-error skip");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "skipped 1 bad row: bad_time 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "events            3")) << r.out;

  r = stars("stats --data " + out);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "users             2")) << r.out;
  EXPECT_TRUE(contains(r.out, "bad rows skipped  1: bad_time 1")) << r.out;
  r = stars("stats --data " + out + " --json");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "\"events\": 3")) << r.out;

  EXPECT_EQ(stars("prepare --input " + d + "/missing --out " + out).code, 3);
  EXPECT_EQ(stars("stats --data " + d).code, 3) << "a raw folder is not a dataset";
  EXPECT_EQ(stars("prepare --input " + d + " --out " + out + " --set no_such_key=1").code, 2);
  EXPECT_EQ(stars("prepare --input " + d + " --out " + out + " --on-error maybe").code, 2);
  EXPECT_EQ(stars("prepare --input " + d + " --out " + out + " --format parquet").code, 2);
  EXPECT_EQ(stars("prepare --out " + out).code, 2) << "--input is required";
  r = stars("prepare --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "event_map.NAME")) << r.out;
  EXPECT_TRUE(contains(r.out, "cold_item_fraction")) << r.out;
  EXPECT_TRUE(contains(r.out, "cold_user_fraction")) << r.out;
}

TEST(Cli, PrepareDrawsColdUsersAndStatsPrintsThem) {
  const std::string d = fresh_dir("cli_cold_users_in");
  std::string csv = "user_id,item_id,timestamp\n";
  for (int u = 0; u < 4; ++u)
    for (int k = 0; k < 3 + u; ++k) csv += "u" + std::to_string(u) + ",i" + std::to_string(k) + "," + std::to_string(10 * u + k) + "\n";
  csv += "u9,i1,5\n";  // one event: never cold
  write_file(d, "events.csv", csv);
  const std::string out = fresh_dir("cli_cold_users_out");
  CliRun r = stars("prepare --input " + d + " --out " + out + " --set cold_user_fraction=0.5 --set seed=3");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "split: cold users 2 users (fraction 0.50, seed 3)")) << r.out;
  r = stars("stats --data " + out);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "split: cold users 2 users")) << r.out;
  r = stars("prepare --input " + d + " --out " + out + " --set cold_user_fraction=0.7");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "cold_user_fraction")) << r.out;
}

}  // namespace
}  // namespace stars::data
