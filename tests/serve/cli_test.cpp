// End to end through the `stars` program: a tiny world, enrich, train (tiny preset), `stars export`, then
// `stars serve` on a free port: recommendations, a live event re-encoded by the real model, a new item
// embedded from its text, SIGHUP reload, SIGTERM stop. Skipped when the program or the model module was
// not built.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include "stars/core/mmap_file.h"
#include "stars/data/tiny_world.h"
#include "test_world.h"

extern char** environ;

namespace stars::serve {
namespace {

using json = nlohmann::json;
using testing::TempDir;

const std::string kStars = std::string(STARS_BINARY_DIR) + "/bin/stars";

int run(const std::string& cmd) { return std::system((cmd + " > /dev/null 2>&1").c_str()); }

pid_t spawn(const std::vector<std::string>& args, const std::string& out_file) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, (out_file + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

TEST(Cli, ExportThenServeEndToEnd) {
  if (!file_exists(kStars)) GTEST_SKIP() << kStars << " is not built";
  TempDir tmp;
  data::make_tiny_world(tmp / "ds");
  ASSERT_EQ(run(kStars + " enrich --data " + (tmp / "ds") + " --quiet"), 0);
  if (run(kStars + " train --data " + (tmp / "ds") + " --out " + (tmp / "model") +
          " --preset tiny --epochs 1 --threads 1 --quiet") != 0)
    GTEST_SKIP() << "stars train is not available in this build";
  ASSERT_EQ(run(kStars + " export --data " + (tmp / "ds") + " --model " + (tmp / "model") + " --out " + (tmp / "snap")), 0);
  const json manifest = json::parse(read_text_file(tmp / "snap/manifest.json"));
  EXPECT_EQ(manifest["has_model"], true);
  EXPECT_EQ(manifest["has_semantics"], true);
  EXPECT_EQ(manifest["num_users"], 64);
  EXPECT_FALSE(file_exists(tmp / "snap/model/checkpoint.tbl"));  // training-only state stays behind
  // Exporting again onto the same directory needs --force.
  EXPECT_NE(run(kStars + " export --data " + (tmp / "ds") + " --model " + (tmp / "model") + " --out " + (tmp / "snap")), 0);

  const std::string out = tmp / "serve.out";
  const pid_t pid = spawn({kStars, "serve", "--snapshot", tmp / "snap", "--port", "0"}, out);
  ASSERT_GT(pid, 0);
  int port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::smatch m;
    const std::string text = file_exists(out) ? read_text_file(out) : "";
    if (std::regex_search(text, m, std::regex("listening on http://127.0.0.1:(\\d+)"))) port = std::stoi(m[1]);
  }
  ASSERT_GT(port, 0) << read_text_file(out + ".err");
  httplib::Client c("127.0.0.1", port);
  auto post = [&](const std::string& path, const std::string& body) {
    auto r = c.Post(path.c_str(), body, "application/json");
    EXPECT_TRUE(r);
    return r ? std::make_pair(r->status, json::parse(r->body)) : std::make_pair(0, json());
  };
  auto [s1, r1] = post("/v1/recommend", R"({"user_id": "u1", "k": 5, "strategy": "rr", "filters": {"in_stock": false}})");
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(r1["source"], "snapshot");
  EXPECT_EQ(r1["items"].size(), 5u);
  EXPECT_EQ(r1["context"]["offset_applied"], true);  // the real context head
  EXPECT_EQ(post("/v1/events", R"({"user_id": "u1", "events": [{"item_id": "i20", "type": "cart"}]})").first, 200);
  auto [s2, r2] = post("/v1/recommend", R"({"user_id": "u1", "k": 5})");
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(r2["source"], "live_session");
  auto put = c.Put("/v1/items/brand-new", R"({"title": "spicy snacks item 9", "category": "Food > snacks > snacks 3", "tags": ["snacks"]})",
                   "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 201) << put->body;
  EXPECT_EQ(json::parse(put->body)["vector_source"], "text");  // embedded by the snapshot's text embedder
  auto sim = c.Get("/v1/items/brand-new/similar?k=3");
  ASSERT_TRUE(sim);
  EXPECT_EQ(sim->status, 200);
  EXPECT_EQ(json::parse(sim->body)["items"].size(), 3u);

  kill(pid, SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto m = c.Get("/metrics");
    reloaded = m && m->body.find("stars_snapshot_reloads 2") != std::string::npos;
  }
  EXPECT_TRUE(reloaded);
  EXPECT_EQ(c.Get("/v1/items/brand-new")->status, 200);  // replayed onto the reloaded snapshot
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace stars::serve
