// Data-parallel training (train.world_size > 1). In process, ranks on threads: gradients and values are
// summed, a gradient defined on one rank only is defined on all, weights that differ are caught on every
// rank, and a rank whose peers never come stops with an error that says so. Through the built program: 2
// and 3 processes (--nproc) train exactly what one process trains, a paused and resumed 2-process run
// follows the uninterrupted one, a killed rank stops the run and is named, and bad launch options are
// refused. Skipped where the build has no Gloo.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "../model/test_world.h"
#include "../run_stars.h"
#include "train_log.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/model/named_arrays.h"
#include "stars/train/data_parallel.h"

namespace stars::train {
namespace {

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// Runs body(rank's group) on `world` threads, one rank each, and rethrows the first failure.
void on_ranks(int world, const std::function<void(DataParallel&)>& body, int timeout_s = 30) {
  const int port = free_port();
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(world);
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      try {
        DataParallelOptions o;
        o.rank = r;
        o.world_size = world;
        o.port = port;
        o.timeout_s = timeout_s;
        DataParallel dp(o);
        body(dp);
      } catch (...) {
        errors[r] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

TEST(DataParallel, OneProcessChangesNothing) {
  DataParallel dp(DataParallelOptions{});
  EXPECT_TRUE(dp.primary());
  at::Tensor p = torch::ones({3});
  p.mutable_grad() = torch::full({3}, 2.0f);
  const at::Tensor v = torch::full({}, 5.0f);
  const auto sums = dp.sum_gradients({p}, {v});
  EXPECT_TRUE(p.grad().equal(torch::full({3}, 2.0f)));
  EXPECT_EQ(sums[0].item<float>(), 5.0f);
  EXPECT_EQ(dp.sum({1.5, 2.0}), (std::vector<double>{1.5, 2.0}));
  dp.check_same({p}, {"p"}, "now");
  DataParallelOptions outside;
  outside.rank = 2;
  outside.world_size = 2;
  EXPECT_THROW(DataParallel{outside}, Error);  // rank outside the group
}

// A rank on another machine listens on its address on the route to rank 0 (not on rank 0's address).
TEST(DataParallel, ListensOnTheAddressOnTheRouteToRankZero) {
  EXPECT_EQ(local_address_towards("127.0.0.1", 29500), "127.0.0.1");
  try {
    local_address_towards("no-such-host.invalid", 29500);
    FAIL() << "resolved a host that does not exist";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot resolve rank 0's address no-such-host.invalid"), std::string::npos) << e.what();
  }
}

TEST(DataParallel, SumsGradientsAndValuesOverRanks) {
  if (!DataParallel::available()) GTEST_SKIP() << "built without Gloo";
  on_ranks(3, [](DataParallel& dp) {
    const float r = static_cast<float>(dp.rank());
    // a: a gradient on every rank; b: on rank 1 only; c: on none (a frozen group, not sent).
    at::Tensor a = torch::zeros({2, 3}).requires_grad_(), b = torch::zeros({4}).requires_grad_(), c = torch::zeros({1});
    a.mutable_grad() = torch::arange(6, torch::kFloat32).view({2, 3}) * (r + 1);
    if (dp.rank() == 1) b.mutable_grad() = torch::full({4}, 7.0f);
    const auto sums = dp.sum_gradients({a, b, c}, {torch::full({}, r), at::Tensor()});
    EXPECT_TRUE(a.grad().allclose(torch::arange(6, torch::kFloat32).view({2, 3}) * 6.0f));  // 1 + 2 + 3
    ASSERT_TRUE(b.grad().defined()) << "rank " << dp.rank();
    EXPECT_TRUE(b.grad().equal(torch::full({4}, 7.0f)));
    EXPECT_FALSE(c.grad().defined());
    EXPECT_EQ(sums[0].item<float>(), 3.0f);  // 0 + 1 + 2
    EXPECT_EQ(sums[1].item<float>(), 0.0f);
    EXPECT_EQ(dp.sum({r, 0.25}), (std::vector<double>{3.0, 0.75}));
    c.mutable_grad() = torch::ones({1});  // a frozen parameter with a gradient: refused on every rank, before sending
    EXPECT_THROW(dp.sum_gradients({a, c}, {}), Error);
  });
}

// Tables whose gradient may be sparse (a sparsely updated Δ): gathered as rows when no rank's gradient is
// dense, the sum lists the rows any rank listed, each once, with the ranks' values added (a rank that lists a
// row twice, a rank without the table's gradient); a rank with a dense gradient makes it dense (every row
// steps); the values come back in place.
TEST(DataParallel, SumsSparseTableGradientsOverTheRowsAnyRankListed) {
  if (!DataParallel::available()) GTEST_SKIP() << "built without Gloo";
  on_ranks(3, [](DataParallel& dp) {
    const float r = static_cast<float>(dp.rank());
    at::Tensor t = torch::zeros({6, 2}).requires_grad_(), u = torch::zeros({4, 2}).requires_grad_(), w = torch::zeros({3}).requires_grad_();
    // t: rank 0 rows 4 and 1 (4 twice), rank 1 row 4, rank 2 nothing.
    if (dp.rank() == 0) t.mutable_grad() = torch::sparse_coo_tensor(torch::tensor({{4, 1, 4}}, torch::kLong), torch::ones({3, 2}), {6, 2});
    if (dp.rank() == 1) t.mutable_grad() = torch::sparse_coo_tensor(torch::tensor({{4}}, torch::kLong), torch::full({1, 2}, 5.0f), {6, 2});
    // u: rank 0 sparse, rank 2 dense.
    if (dp.rank() == 0) u.mutable_grad() = torch::sparse_coo_tensor(torch::tensor({{2}}, torch::kLong), torch::ones({1, 2}), {4, 2});
    if (dp.rank() == 2) u.mutable_grad() = torch::full({4, 2}, 2.0f);
    w.mutable_grad() = torch::full({3}, r);
    const auto sums = dp.sum_gradients({w, t, u}, {torch::full({}, r + 1)}, {1, 2});
    ASSERT_TRUE(t.grad().defined()) << "rank " << dp.rank();
    ASSERT_TRUE(t.grad().is_sparse());
    EXPECT_TRUE(t.grad().is_coalesced());
    EXPECT_TRUE(t.grad()._indices().equal(torch::tensor({{1, 4}}, torch::kLong)));
    EXPECT_TRUE(t.grad()._values().equal(torch::tensor({{1.0f, 1.0f}, {7.0f, 7.0f}})));
    ASSERT_TRUE(u.grad().defined());
    EXPECT_FALSE(u.grad().is_sparse());
    EXPECT_TRUE(u.grad().equal(torch::tensor({{2.0f, 2.0f}, {2.0f, 2.0f}, {3.0f, 3.0f}, {2.0f, 2.0f}})));
    EXPECT_TRUE(w.grad().equal(torch::full({3}, 3.0f)));
    EXPECT_EQ(sums[0].item<float>(), 6.0f);  // 1 + 2 + 3
  });
}

TEST(DataParallel, CatchesRanksWithOtherWeights) {
  if (!DataParallel::available()) GTEST_SKIP() << "built without Gloo";
  on_ranks(2, [](DataParallel& dp) {
    at::Tensor same = torch::arange(5, torch::kFloat32), other = torch::ones({2});
    dp.check_same({same, other}, {"same", "other"}, "at the start");
    if (dp.rank() == 1) other[1] = 1.0f + 1e-7f;  // one ulp is enough
    try {
      dp.check_same({same, other}, {"same", "other"}, "after epoch 2");
      ADD_FAILURE() << "rank " << dp.rank() << " goes on: rank 1 holds other weights";
    } catch (const Error& e) {
      // The rank that differs names the parameter; rank 0 learns that one does.
      const std::string want = dp.rank() == 1 ? "other differs" : "1 rank(s) hold other weights than rank 0 after epoch 2";
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("after epoch 2"), std::string::npos) << e.what();
    }
  });
}

TEST(DataParallel, ARankWithoutPeersStopsWithAClearError) {
  if (!DataParallel::available()) GTEST_SKIP() << "built without Gloo";
  DataParallelOptions o;
  o.rank = 1;
  o.world_size = 2;
  o.port = free_port();  // nobody serves it
  o.timeout_s = 1;
  try {
    DataParallel dp(o);
    FAIL() << "joined a group without rank 0";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("start-up (rendezvous at 127.0.0.1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rank 1 of 2"), std::string::npos) << e.what();
  }
}

// --- through the built program ---

using testing::ProgramRun;
ProgramRun stars(const std::string& args, const std::string& env = "") { return testing::run_stars(args, env); }
std::vector<nlohmann::json> read_log(const std::string& dir) { return testing::read_train_log(dir); }

double max_weight_diff(const std::string& a, const std::string& b) {
  const model::NamedArrays wa = model::read_named_arrays(a + "/weights.tbl", "model_weights");
  const model::NamedArrays wb = model::read_named_arrays(b + "/weights.tbl", "model_weights");
  EXPECT_EQ(wa.arrays.size(), wb.arrays.size());
  double d = 0;
  for (const auto& x : wa.arrays) {
    const model::NamedArray* y = wb.find(x.name);
    if (!y || y->data.size() != x.data.size()) return INFINITY;
    for (size_t i = 0; i < x.data.size(); ++i) d = std::max(d, double(std::abs(x.data[i] - y->data[i])));
  }
  return d;
}

bool program_trains() {
  return std::filesystem::exists(std::string(STARS_BINARY_DIR) + "/bin/stars") && DataParallel::available();
}

// Without dropout and with the full softmax nothing is drawn at random, so 2 or 3 processes, each with
// its share of every batch and its losses weighted by its share of the targets (main, gen and cold-user
// losses: the tiny world has static user features), train what one process trains, to rounding.
TEST(DataParallelTraining, TwoAndThreeProcessesTrainWhatOneTrains) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  const std::string ds = testing::make_world("dp_world");
  const std::string common = "train --data " + ds + " --preset tiny --epochs 3 --threads 1 --quiet"
                             " --set model.dropout=0 --set model.attn_dropout=0 --set train.loss=full"
                             " --set train.gen_weight=0.5 --set train.cold_user_weight=0.1";
  const std::string one = testing::fresh_dir("dp_one");
  ProgramRun r = stars(common + " --out " + one);
  ASSERT_EQ(r.rc, 0) << r.out;
  const auto log1 = read_log(one);
  ASSERT_EQ(log1.size(), 3u);
  const auto metrics1 = nlohmann::json::parse(read_text_file(one + "/metrics.json"));
  for (int world : {2, 3}) {
    const std::string many = testing::fresh_dir("dp_" + std::to_string(world));
    r = stars(common + " --out " + many + " --nproc " + std::to_string(world));
    ASSERT_EQ(r.rc, 0) << r.out;
    const auto log = read_log(many);  // rank 0 alone writes the log
    ASSERT_EQ(log.size(), 3u) << world;
    for (size_t e = 0; e < 3; ++e) {
      const double l1 = log1[e]["loss"].get<double>(), l = log[e]["loss"].get<double>();
      EXPECT_NEAR(l, l1, 1e-5 * l1) << "world " << world << " epoch " << e + 1;
      EXPECT_NEAR(log[e]["loss_main"].get<double>(), log1[e]["loss_main"].get<double>(), 1e-5 * l1);
      EXPECT_EQ(log[e]["tokens"], log1[e]["tokens"]) << "every target once, over the ranks";
      EXPECT_NEAR(log[e]["valid"]["ndcg@10"].get<double>(), log1[e]["valid"]["ndcg@10"].get<double>(), 1e-6);
      EXPECT_TRUE(log[e]["phase_seconds"].contains("all_reduce"));
    }
    EXPECT_LT(max_weight_diff(one, many), 1e-4) << world;
    const auto metrics = nlohmann::json::parse(read_text_file(many + "/metrics.json"));
    EXPECT_NEAR(metrics["test"]["ndcg@10"].get<double>(), metrics1["test"]["ndcg@10"].get<double>(), 1e-4) << world;
  }
}

// Δ updated sparsely over two ranks (batches that hold a small part of the catalog): each rank brings its
// own rows up to date before its forward pass and the step covers the rows either rank listed, yet the
// ranks keep the same weights bit for bit (the run compares them after every epoch and stops otherwise),
// and they train what the dense update trains.
TEST(DataParallelTraining, SparseDeltaKeepsTheRanksTheSame) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  data::TinyWorldOptions o;
  o.num_groups = 8;
  o.items_per_group = 32;
  const std::string ds = testing::make_world("dp_sparse_world", o);
  const std::string common = "train --data " + ds + " --preset tiny --epochs 3 --threads 1 --quiet --nproc 2"
                             " --set train.batch_size=4 --set train.negatives=2 --set train.page_negatives=1"
                             " --set train.subclass_negatives=1 --set train.shared_negatives=0"
                             " --set train.delta_freeze_epochs=0 --set train.delta_lr_scale=3";
  const std::string sparse = testing::fresh_dir("dp_sparse"), dense = testing::fresh_dir("dp_sparse_dense");
  ProgramRun r = stars(common + " --out " + sparse);
  ASSERT_EQ(r.rc, 0) << r.out;
  r = stars(common + " --set train.sparse_delta=false --out " + dense);
  ASSERT_EQ(r.rc, 0) << r.out;
  ASSERT_NO_FATAL_FAILURE(testing::expect_sparse_delta_log_follows_dense(read_log(sparse), read_log(dense), 3, 1e-4));
}

// The paper's sampled loss with dropout: the ranks draw their own negatives and masks, and a run paused
// after an epoch and resumed ends with the uninterrupted run's weights.
TEST(DataParallelTraining, APausedAndResumedRunFollowsTheUninterruptedOne) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  const std::string ds = testing::make_world("dp_resume_world");
  const std::string common = "train --data " + ds + " --preset tiny --epochs 3 --threads 1 --quiet --nproc 2";
  const std::string whole = testing::fresh_dir("dp_whole"), parts = testing::fresh_dir("dp_parts");
  ProgramRun r = stars(common + " --out " + whole);
  ASSERT_EQ(r.rc, 0) << r.out;
  r = stars(common + " --out " + parts + " --stop-after-epochs 1");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(read_log(parts).size(), 1u);
  r = stars(common + " --out " + parts + " --resume");
  ASSERT_EQ(r.rc, 0) << r.out;
  const auto a = read_log(whole), b = read_log(parts);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (size_t e = 0; e < 3; ++e) EXPECT_NEAR(a[e]["loss"].get<double>(), b[e]["loss"].get<double>(), 1e-9) << e;
  EXPECT_EQ(max_weight_diff(whole, parts), 0.0);
  // A resume with another number of processes is another configuration; other threads are not.
  const std::string again = testing::fresh_dir("dp_again");
  r = stars(common + " --out " + again + " --stop-after-epochs 1");
  ASSERT_EQ(r.rc, 0) << r.out;
  r = stars("train --data " + ds + " --preset tiny --epochs 3 --threads 1 --quiet --out " + again + " --resume");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("another configuration (first difference: train.world_size)"), std::string::npos) << r.out;
  r = stars("train --data " + ds + " --preset tiny --epochs 2 --threads 2 --quiet --nproc 2 --out " + again + " --resume");
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find("first difference: train.epochs"), std::string::npos) << r.out;
  // A checkpoint written by an older stars holds other threads and lacks keys added since (at their
  // defaults): still accepted.
  const std::string cp = again + "/checkpoint.tbl";
  model::NamedArrays ck = model::read_named_arrays(cp, "checkpoint");
  nlohmann::json config = nlohmann::json::parse(ck.meta["config"]);
  config["train"]["threads"] = 7;
  config["train"].erase("dist_timeout");
  ck.meta["config"] = config.dump(-1);
  model::write_named_arrays(cp, "checkpoint", ck);
  r = stars("train --data " + ds + " --preset tiny --epochs 3 --threads 2 --quiet --nproc 2 --out " + again + " --resume");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(read_log(again).size(), 3u);
}

// A rank killed in the middle of a --nproc run: the run stops soon after, non-zero, naming the rank.
TEST(DataParallelTraining, ARankThatDiesStopsTheRunAndIsNamed) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  const std::string ds = testing::make_world("dp_kill_world");
  const std::string out = testing::fresh_dir("dp_kill_model");
  ProgramRun r;
  std::thread run([&] { r = stars("train --data " + ds + " --preset tiny --epochs 100000 --threads 1 --quiet --nproc 2 --out " + out); });
  // Rank 1's process: the parent's command line plus --rank 1.
  std::string pid;
  for (int i = 0; i < 200 && pid.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(out + "/train_log.jsonl")) continue;
    FILE* f = popen(("pgrep -f -- '" + out + " .*--rank 1'").c_str(), "r");
    char buf[64] = {0};
    if (f && fgets(buf, sizeof buf, f)) pid = std::to_string(std::atoi(buf));
    if (f) pclose(f);
  }
  ASSERT_FALSE(pid.empty()) << "rank 1 not found";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(std::system(("kill -9 " + pid).c_str()), 0);
  run.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("rank 1 was killed by signal 9"), std::string::npos) << r.out;
  EXPECT_LT(seconds, 30.0) << "the run waited for the dead rank";
}

// Ranks started by a cluster launcher: RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT with --dist-addr env://.
TEST(DataParallelTraining, RanksFromTheEnvironment) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  const std::string ds = testing::make_world("dp_env_world");
  const std::string out = testing::fresh_dir("dp_env_model");
  const std::string env = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(free_port());
  const std::string args = "train --data " + ds + " --out " + out + " --preset tiny --epochs 2 --threads 1 --quiet --dist-addr env://";
  ProgramRun r1;
  std::thread other([&] { r1 = stars(args, env + " RANK=1"); });
  const ProgramRun r0 = stars(args, env + " RANK=0");
  other.join();
  EXPECT_EQ(r0.rc, 0) << r0.out;
  EXPECT_EQ(r1.rc, 0) << r1.out;
  const auto log = read_log(out);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(log[0]["phase_seconds"].contains("all_reduce")) << "trained as a group of 2";
}

TEST(DataParallelTraining, RefusesBadLaunchOptions) {
  if (!program_trains()) GTEST_SKIP() << "stars is not built, or built without Gloo";
  const std::string ds = testing::make_world("dp_bad_world");
  const std::string base = "train --data " + ds + " --preset tiny --out " + testing::fresh_dir("dp_bad") + " --quiet";
  // The program, run with `args` after `base` (and env(1) arguments `env`), ends with `rc` and says `what`.
  const auto fails = [&](const std::string& args, int rc, const std::string& what, const std::string& env = "") {
    const ProgramRun r = stars(base + " " + args, env);
    EXPECT_EQ(r.rc, rc) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(what), std::string::npos) << args << "\n" << r.out;
  };
  fails("--set train.world_size=2", 2, "--nproc 2");
  fails("--nproc 2 --rank 0", 2, "give one of them");
  fails("--nproc 2 --dist-addr 127.0.0.1:29500", 2, "--dist-addr goes with --rank");
  fails("--set train.world_size=2 --rank 2", 2, "--rank 2 is outside");
  fails("--set train.world_size=2 --rank 1 --dist-addr localhost", 2, "expected HOST:PORT or file:PATH");
  fails("--dist-addr env://", 2, "the environment variable RANK is not set", "-u RANK WORLD_SIZE=2");
  // A rank whose rank 0 never comes gives up after train.dist_timeout and says where it waited.
  fails("--set train.world_size=2 --rank 1 --set train.dist_timeout=1 --dist-addr 127.0.0.1:" + std::to_string(free_port()), 1,
        "rank 1: data-parallel start-up (rendezvous at 127.0.0.1:");
}

}  // namespace
}  // namespace stars::train
