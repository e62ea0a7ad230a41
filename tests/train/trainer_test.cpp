// The training loop end to end on tiny worlds: a tiny model overfits, a paused and resumed run follows the
// uninterrupted one, the ID-only full-softmax baseline and the auxiliary losses run, and the model
// directory it writes loads through load_encoder. Validation on the session protocol selects and reports
// what `stars eval --protocols session` measures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../model/test_world.h"
#include "train_log.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/eval/evaluation.h"
#include "stars/model/encoder.h"
#include "stars/model/model_dir.h"
#include "stars/train/trainer.h"

namespace stars::train {
namespace {

std::vector<nlohmann::json> read_log(const std::string& dir) { return testing::read_train_log(dir); }

// The largest absolute difference between two arrays of the same size.
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0;
  for (size_t j = 0; j < std::min(a.size(), b.size()); ++j) diff = std::max(diff, double(std::abs(a[j] - b[j])));
  return diff;
}

// A request to train the tiny preset on `data_dir`, into a fresh folder named `out` when one is given.
TrainRequest tiny_request(const std::string& data_dir, const std::string& out = "") {
  TrainRequest r;
  r.data_dir = data_dir;
  if (!out.empty()) r.out_dir = testing::fresh_dir(out);
  r.config = stars_preset("tiny");
  return r;
}

TEST(Trainer, OverfitsATinyWorld) {
  const std::string ds = testing::make_world("overfit");
  TrainRequest r = tiny_request(ds, "overfit_model");
  r.config.train.epochs = 40;
  r.config.train.lr = 1e-2;
  const TrainSummary s = run_training(r);
  const auto log = read_log(r.out_dir);
  ASSERT_EQ(log.size(), 40u);
  EXPECT_LT(log.back()["loss"].get<double>(), 0.5 * log.front()["loss"].get<double>());
  // The next item is determined by the last one: the model must learn it.
  EXPECT_GT(s.valid.at("hit@10"), 0.9);
  EXPECT_GT(s.test.at("ndcg@10"), 0.5);
  const auto metrics = nlohmann::json::parse(read_text_file(r.out_dir + "/metrics.json"));
  EXPECT_NEAR(metrics["test"]["ndcg@10"].get<double>(), s.test.at("ndcg@10"), 1e-5);
  // The tiny world's users come back to items: "auto" keeps history items rankable, and says so.
  const auto saved = nlohmann::json::parse(read_text_file(r.out_dir + "/config.json"));
  EXPECT_EQ(saved["train"]["exclude_history"], "false");
  EXPECT_EQ(metrics["test"]["recall@10"].get<double>(), metrics["test"]["hit@10"].get<double>());
  // The written directory serves.
  auto enc = model::load_encoder(r.out_dir, 1);
  EXPECT_EQ(enc->dim(), r.config.model.d_model);
}

TEST(Trainer, ResumedRunFollowsTheUninterruptedOne) {
  const std::string ds = testing::make_world("resume");
  TrainRequest r = tiny_request(ds);
  r.config.model.dropout = 0.1;  // dropout randomness must replay too
  r.config.train.epochs = 4;
  r.config.train.delta_freeze_epochs = 1;
  r.config.train.loader_threads = 2;
  r.out_dir = testing::fresh_dir("resume_full");
  run_training(r);
  TrainRequest p = r;
  p.out_dir = testing::fresh_dir("resume_paused");
  p.stop_after_epochs = 2;
  EXPECT_EQ(run_training(p).stop_reason, "paused");
  EXPECT_EQ(read_log(p.out_dir).size(), 2u);
  p.stop_after_epochs = 0;
  p.resume = true;
  run_training(p);
  const auto a = read_log(r.out_dir), b = read_log(p.out_dir);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  for (size_t e = 0; e < 4; ++e) EXPECT_NEAR(a[e]["loss"].get<double>(), b[e]["loss"].get<double>(), 1e-6) << "epoch " << e + 1;
  const auto wa = model::read_named_arrays(model::model_checkpoint_path(r.out_dir), "checkpoint");
  const auto wb = model::read_named_arrays(model::model_checkpoint_path(p.out_dir), "checkpoint");
  ASSERT_EQ(wa.arrays.size(), wb.arrays.size());
  double diff = 0;
  for (size_t i = 0; i < wa.arrays.size(); ++i) diff = std::max(diff, max_abs_diff(wa.arrays[i].data, wb.arrays[i].data));
  EXPECT_LT(diff, 1e-5);
  // Another configuration cannot resume this run.
  p.config.train.lr *= 2;
  EXPECT_THROW(run_training(p), Error);
}

// train.sparse_delta. With batches that hold under half the catalog, the sampled loss gathers the batch's
// rows of Δ, whose gradient is then sparse, and AdamW steps only those rows (the log counts such steps). The
// run trains what the dense update trains (same losses and weights, to rounding; weight decay on), and a paused and resumed
// run follows the uninterrupted one. Through the whole catalog (loss=full) the gradient is dense: both
// settings are the same run, bit for bit.
TEST(Trainer, SparseDeltaTrainsWhatTheDenseUpdateTrains) {
  data::TinyWorldOptions o;
  o.num_groups = 8;
  o.items_per_group = 32;  // 256 items; a batch of 2 windows holds at most 2 x 12 x (1 + 2) of them
  const std::string ds = testing::make_world("sparse_delta", o);
  TrainRequest r = tiny_request(ds);
  r.config.train.epochs = 3;
  r.config.train.batch_size = 2;
  r.config.train.negatives = 2;
  r.config.train.page_negatives = 1;
  r.config.train.subclass_negatives = 1;
  r.config.train.shared_negatives = 0;
  r.config.train.delta_freeze_epochs = 0;
  r.config.train.delta_lr_scale = 3.0;  // Δ moves enough to matter
  r.config.train.embedding_weight_decay = 0.5;  // and decays: the missed steps' decay is part of the closed form
  r.config.model.dropout = 0.1;
  ASSERT_TRUE(r.config.train.sparse_delta) << "on by default";
  const auto checkpoint = [](const std::string& dir) { return model::read_named_arrays(model::model_checkpoint_path(dir), "checkpoint"); };
  r.out_dir = testing::fresh_dir("sparse_delta_run");
  run_training(r);
  TrainRequest d = r;
  d.config.train.sparse_delta = false;
  d.out_dir = testing::fresh_dir("sparse_delta_dense");
  run_training(d);
  const auto a = read_log(r.out_dir);
  ASSERT_NO_FATAL_FAILURE(testing::expect_sparse_delta_log_follows_dense(a, read_log(d.out_dir), 3, 1e-4));
  // Every weight to 1e-3, but the attention's input bias: the key part of it shifts each query's scores by a
  // constant, so its gradient is rounding noise, which Adam scales to full steps in either run.
  const auto sparse_ck = checkpoint(r.out_dir), dense_ck = checkpoint(d.out_dir);
  ASSERT_EQ(sparse_ck.arrays.size(), dense_ck.arrays.size());
  int compared = 0;
  for (size_t i = 0; i < sparse_ck.arrays.size(); ++i) {
    if (sparse_ck.arrays[i].name.find("qkv.bias") != std::string::npos) continue;
    EXPECT_LT(max_abs_diff(sparse_ck.arrays[i].data, dense_ck.arrays[i].data), 1e-3) << sparse_ck.arrays[i].name;
    ++compared;
  }
  EXPECT_GT(compared, 20);
  const model::NamedArray* delta = sparse_ck.find("w.delta.weight");
  ASSERT_NE(delta, nullptr);
  EXPECT_GT(max_abs_diff(delta->data, std::vector<float>(delta->data.size(), 0.0f)), 1e-2) << "Δ trained";

  TrainRequest p = r;
  p.out_dir = testing::fresh_dir("sparse_delta_paused");
  p.stop_after_epochs = 1;
  run_training(p);
  p.stop_after_epochs = 0;
  p.resume = true;
  run_training(p);
  const auto b = read_log(p.out_dir);
  ASSERT_EQ(b.size(), 3u);
  for (size_t e = 0; e < 3; ++e) EXPECT_NEAR(a[e]["loss"].get<double>(), b[e]["loss"].get<double>(), 1e-6) << "epoch " << e + 1;
  const auto resumed_ck = checkpoint(p.out_dir);
  ASSERT_EQ(sparse_ck.arrays.size(), resumed_ck.arrays.size());
  for (size_t i = 0; i < sparse_ck.arrays.size(); ++i)
    EXPECT_LT(max_abs_diff(sparse_ck.arrays[i].data, resumed_ck.arrays[i].data), 1e-5) << sparse_ck.arrays[i].name;

  r.config.train.loss = d.config.train.loss = "full";
  r.config.train.epochs = d.config.train.epochs = 2;
  r.out_dir = testing::fresh_dir("sparse_delta_full");
  d.out_dir = testing::fresh_dir("sparse_delta_full_dense");
  run_training(r);
  run_training(d);
  EXPECT_EQ(read_log(r.out_dir)[0]["delta_sparse_steps"].get<int64_t>(), 0);
  const auto full_sparse = checkpoint(r.out_dir), full_dense = checkpoint(d.out_dir);
  ASSERT_EQ(full_sparse.arrays.size(), full_dense.arrays.size());
  for (size_t i = 0; i < full_sparse.arrays.size(); ++i)
    EXPECT_EQ(full_sparse.arrays[i].data, full_dense.arrays[i].data) << full_sparse.arrays[i].name;
}

// train.init_from: a run starts from a trained model's weights. With a learning rate too small to move them,
// its first epoch validates as the old model did and its weights stay the old ones, where a run from a
// random initialisation has learnt nothing; the model folder keeps the vocabularies a later warm start
// matches by name.
TEST(Trainer, WarmStartBeginsWhereTheOldModelEnded) {
  const std::string ds = testing::make_world("warm");
  TrainRequest a = tiny_request(ds, "warm_old");
  a.config.train.epochs = 8;
  a.config.train.lr = 1e-2;
  const TrainSummary old = run_training(a);
  const model::ModelFiles files = model::load_model_files(a.out_dir);
  ASSERT_TRUE(files.vocab.kept);
  EXPECT_EQ(files.content.text_model, "test:synthetic");  // what made the text vectors (DS/semantics)
  EXPECT_EQ(files.vocab.regions, data::Dataset::open(ds)->region_names());
  ASSERT_EQ(files.vocab.user_categorical.size(), 1u);

  TrainRequest b = tiny_request(ds, "warm_new");
  b.config.train.epochs = 1;
  b.config.train.lr = 1e-9;
  b.config.train.init_from = a.out_dir;
  const TrainSummary warm = run_training(b);
  TrainRequest c = b;
  c.out_dir = testing::fresh_dir("warm_none");
  c.config.train.init_from = "";
  const TrainSummary cold = run_training(c);
  EXPECT_NEAR(warm.valid.at("ndcg@10"), old.best_valid_ndcg10, 0.02);
  EXPECT_GT(warm.valid.at("ndcg@10"), cold.valid.at("ndcg@10") + 0.1);
  const auto wa = model::read_named_arrays(model::model_weights_path(a.out_dir), "model_weights");
  const auto wb = model::read_named_arrays(model::model_weights_path(b.out_dir), "model_weights");
  ASSERT_EQ(wa.arrays.size(), wb.arrays.size());
  for (const auto& x : wa.arrays) {
    const model::NamedArray* y = wb.find(x.name);
    ASSERT_NE(y, nullptr) << x.name;
    EXPECT_LT(max_abs_diff(x.data, y->data), 1e-4) << x.name;
  }
  // Another architecture cannot start from it.
  TrainRequest d = b;
  d.out_dir = testing::fresh_dir("warm_wider");
  d.config.model.d_model *= 2;
  EXPECT_THROW(run_training(d), Error);
}

TEST(Trainer, IdOnlyFullSoftmaxAndAuxiliaryLosses) {
  const std::string ds = testing::make_world("variants");
  TrainRequest r = tiny_request(ds);
  apply_ablation(&r.config, "id-only");
  r.config.train.loss = "full";
  r.config.train.negatives = 0;
  r.config.train.epochs = 2;
  r.config.train.exclude_history = "true";  // the full softmax and the h_gen loss without history items
  r.out_dir = testing::fresh_dir("variants_id");
  TrainSummary s = run_training(r);
  EXPECT_EQ(s.epochs_run, 2);
  EXPECT_GT(s.test.at("users"), 0);
  EXPECT_TRUE(std::isfinite(read_log(r.out_dir)[1]["loss"].get<double>()));
  r.config = stars_preset("tiny");
  r.config.train.epochs = 2;
  r.config.train.gamma = 0.5;
  r.config.train.logistic_weight = 0.5;
  r.config.train.inbatch_weight = 0.5;
  r.config.train.eval_vector = "sum";
  r.config.train.exclude_history = "true";
  r.config.train.logq_correction = true;
  r.out_dir = testing::fresh_dir("variants_aux");
  s = run_training(r);
  const auto log = read_log(r.out_dir);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_TRUE(std::isfinite(log[1]["loss"].get<double>()));
  EXPECT_TRUE(log[0]["delta_frozen"].get<bool>());
  EXPECT_FALSE(log[1]["delta_frozen"].get<bool>());
}

TEST(Trainer, SessionValidationRanksWhatTheSessionProtocolRanks) {
  data::TinyWorldOptions o;
  o.num_users = 512;  // enough (user, day) sessions with a purchase in each period
  o.start_hours = 5;  // sessions start with a view, cart or purchase after 0-2 events of history
  const std::string ds_dir = testing::make_world("session_valid", o);
  TrainRequest r = tiny_request(ds_dir);
  r.config.train.epochs = 3;
  r.config.train.valid_protocol = "session";
  r.out_dir = testing::fresh_dir("session_valid_loo");
  // Sessions are cut from the temporal validation and test periods.
  EXPECT_THROW(run_training(r), Error);
  r.config.train.split = "temporal";
  r.out_dir = testing::fresh_dir("session_valid_model");
  const TrainSummary s = run_training(r);
  const auto metrics = nlohmann::json::parse(read_text_file(r.out_dir + "/metrics.json"));
  EXPECT_EQ(metrics["protocol"], "session");
  EXPECT_EQ(metrics["ranking"], "session_products");
  ASSERT_EQ(read_log(r.out_dir).size(), 3u);
  EXPECT_EQ(read_log(r.out_dir)[0]["valid"]["users"].get<double>(), s.valid.at("users"));

  // `stars eval`'s session protocol on the saved model: the same sessions, the same ranks.
  auto ds = data::Dataset::open(ds_dir);
  auto enc = model::load_encoder(r.out_dir, 1);
  eval::EvalRequest req;
  req.protocols = {eval::Protocol::kSession};
  req.models = {eval::ModelSpec{"stars", r.out_dir, {eval::Protocol::kSession}, enc.get()}};
  req.config.bootstrap_samples = 0;
  req.config.permutation_samples = 0;
  for (const std::string split : {"valid", "test"}) {
    req.config.split = split;
    const eval::EvalOutput out = eval::run_evaluation(*ds, req);
    ASSERT_EQ(out.results.runs.size(), 1u);
    const eval::StrategyResult* h = out.results.runs[0].models[0].strategy("h_next");
    ASSERT_NE(h, nullptr);
    const auto& mine = split == "valid" ? s.valid : s.test;
    EXPECT_GT(mine.at("users"), 0) << split;
    EXPECT_EQ(out.results.runs[0].num_queries, static_cast<int64_t>(mine.at("users"))) << split;
    for (const char* m : {"ndcg@10", "recall@10", "mrr"})
      EXPECT_NEAR(h->metrics.at(m).value, mine.at(m), 1e-5) << split << " " << m;
  }
}

TEST(Trainer, SliceLossIsTheUncorrectedSoftmaxOverTheTargetsSlice) {
  const std::string ds = testing::make_world("slice_loss");
  TrainRequest r = tiny_request(ds);
  r.config.train.epochs = 2;
  r.config.train.gen_weight = 0;
  r.config.train.cold_user_weight = 0;
  r.config.train.gamma = 0.5;  // the prior is part of both
  // A sampled loss without shared negatives or logQ correction is that same softmax: loss = (1 + w) main.
  r.config.train.loss = "sampled";
  r.config.train.shared_negatives = 0;
  r.config.train.logq_correction = false;
  r.config.train.slice_weight = 0.5;
  r.out_dir = testing::fresh_dir("slice_loss_same");
  run_training(r);
  for (const auto& e : read_log(r.out_dir))
    EXPECT_NEAR(e["loss"].get<double>(), 1.5 * e["loss_main"].get<double>(), 1e-4 * e["loss"].get<double>());
  // With the correction the main loss weighs the negatives by 1/Q and the slice term does not.
  r.config.train.logq_correction = true;
  r.out_dir = testing::fresh_dir("slice_loss_logq");
  run_training(r);
  const double ratio = read_log(r.out_dir)[0]["loss"].get<double>() / read_log(r.out_dir)[0]["loss_main"].get<double>();
  EXPECT_GT(std::abs(ratio - 1.5), 1e-3);
  // Next to the full softmax: a softmax over 1 + negatives items, so between 0 and about log(9) per target.
  r.config.train.loss = "full";
  r.config.train.max_steps = 1;
  r.out_dir = testing::fresh_dir("slice_loss_full");
  run_training(r);
  const auto log = read_log(r.out_dir);
  const double slice = (log[0]["loss"].get<double>() - log[0]["loss_main"].get<double>()) / 0.5;
  EXPECT_GT(slice, 0.5);
  EXPECT_LT(slice, std::log(1.0 + r.config.train.negatives) + 0.5);
  EXPECT_LT(slice, log[0]["loss_main"].get<double>());  // the full softmax ranks all 32 items
}

TEST(Trainer, ColdUserVectorComesFromTheStaticFeaturesAlone) {
  // In the tiny world a user's group is both the categorical feature "region" and where all their items
  // are: trained with the cold-user loss, the features alone must point at the group.
  const std::string ds_dir = testing::make_world("cold_user");
  TrainRequest r = tiny_request(ds_dir, "cold_user_model");
  r.config.train.epochs = 30;
  r.config.train.lr = 1e-2;
  r.config.train.cold_user_weight = 0.5;
  run_training(r);
  auto ds = data::Dataset::open(ds_dir);
  auto enc = model::load_encoder(r.out_dir, 1);
  ASSERT_TRUE(enc->encodes_cold_users());
  const int S = enc->dim();
  const int32_t N = enc->num_items();
  std::vector<float> items(static_cast<size_t>(N) * S);
  enc->item_vectors(items.data());
  const int per_group = data::TinyWorldOptions{}.items_per_group;
  const int groups = data::TinyWorldOptions{}.num_groups;
  // Users 0..3 belong to groups 0..3 (u % groups); no events: only their features.
  std::vector<model::EncoderInput> in(groups);
  for (int g = 0; g < groups; ++g) {
    in[g].user_numeric = {ds->user_numeric(0)[g]};
    in[g].user_categorical = {ds->user_categorical(0)[g]};
  }
  std::vector<float> gen(static_cast<size_t>(groups) * S), next(gen.size());
  enc->encode(in.data(), in.size(), gen.data(), next.data());
  for (int g = 0; g < groups; ++g) {
    std::vector<std::pair<float, int32_t>> scored;
    for (int32_t i = 0; i < N; ++i) {
      float z = 0;
      for (int d = 0; d < S; ++d) z += gen[g * S + d] * items[static_cast<size_t>(i) * S + d];
      scored.push_back({-z, i});
    }
    std::sort(scored.begin(), scored.end());
    int in_group = 0;
    for (int k = 0; k < per_group; ++k) in_group += scored[k].second / per_group == g;
    EXPECT_GE(in_group, per_group - 1) << "group " << g;
    for (int d = 0; d < S; ++d) ASSERT_EQ(gen[g * S + d], next[g * S + d]);  // one vector for both
  }
  // A user with events is still encoded from them: user 0's history gives another vector than no history.
  model::EncoderInput warm = in[0];
  warm.events.push_back({0, 1700000000, 0, 0, {}});
  std::vector<float> wg(S), wn(S);
  enc->encode(&warm, 1, wg.data(), wn.data());
  EXPECT_NE(wn, std::vector<float>(next.begin(), next.begin() + S));
  // A model trained without the loss does not claim cold-user vectors (the weight is read from config.json).
  const std::string cfg_path = model::model_config_path(r.out_dir);
  auto cfg = nlohmann::json::parse(read_text_file(cfg_path));
  EXPECT_EQ(cfg["train"]["cold_user_weight"].get<double>(), 0.5);
  cfg["train"]["cold_user_weight"] = 0.0;
  std::ofstream(cfg_path) << cfg.dump(2);
  auto no_cold = model::load_encoder(r.out_dir, 1);
  EXPECT_FALSE(no_cold->encodes_cold_users());
  std::vector<float> g0(S), n0(S);  // its untrained head is not used for an input without events
  no_cold->encode(&in[0], 1, g0.data(), n0.data());
  float apart = 0;
  for (int d = 0; d < S; ++d) apart = std::max(apart, std::abs(n0[d] - next[d]));
  EXPECT_GT(apart, 1e-3f);
  cfg["train"].erase("cold_user_weight");  // written before the loss existed
  std::ofstream(cfg_path) << cfg.dump(2);
  EXPECT_FALSE(model::load_encoder(r.out_dir, 1)->encodes_cold_users());
  // Weights written before the head existed still load, without cold-user vectors even if the weight is set.
  cfg["train"]["cold_user_weight"] = 0.5;
  std::ofstream(cfg_path) << cfg.dump(2);
  model::NamedArrays old = model::load_model_files(r.out_dir).weights;
  const size_t n_arrays = old.arrays.size();
  old.arrays.erase(std::remove_if(old.arrays.begin(), old.arrays.end(),
                                  [](const model::NamedArray& a) { return a.name.rfind("cold_user", 0) == 0; }),
                   old.arrays.end());
  ASSERT_EQ(old.arrays.size(), n_arrays - 5);  // the head's 4 parameters and its prior (train.cold_user_prior)
  model::save_model_weights(r.out_dir, old);
  auto reloaded = model::load_encoder(r.out_dir, 1);
  EXPECT_FALSE(reloaded->encodes_cold_users());
  std::vector<float> g2(S), n2(S);
  reloaded->encode(&warm, 1, g2.data(), n2.data());
  EXPECT_EQ(n2, wn);  // the encoder itself is the same
}

TEST(Trainer, ColdUserLossTrainsOnlyItsHeadAndTheUserFeatures) {
  // One step with and without the loss (no clipping, whose per-group scale would mix them): every weight
  // but the cold-user head's and the [USER] token's feature embeddings comes out bitwise the same.
  const std::string ds_dir = testing::make_world("cold_user_isolated");
  std::vector<model::NamedArrays> w;
  for (double weight : {0.0, 0.5}) {
    TrainRequest r = tiny_request(ds_dir, "cold_user_isolated_" + std::to_string(w.size()));
    r.config.train.max_steps = 1;
    r.config.train.clip_norm = 0;
    r.config.train.lr = 1e-2;
    r.config.train.lr_start_frac = 1.0;
    r.config.train.cold_user_weight = weight;
    run_training(r);
    w.push_back(model::load_model_files(r.out_dir).weights);
  }
  // The loss's model also carries the head's prior (train.cold_user_prior): one array more.
  ASSERT_EQ(w[0].arrays.size() + 1, w[1].arrays.size());
  ASSERT_NE(w[1].find("cold_user_prior"), nullptr);
  int same = 0, changed = 0;
  for (size_t i = 0; i < w[0].arrays.size(); ++i) {
    const auto& a = w[0].arrays[i];
    const auto& b = w[1].arrays[i];
    ASSERT_EQ(a.name, b.name);
    const bool cold_path = a.name.rfind("cold_user", 0) == 0 || a.name.rfind("user_", 0) == 0;
    if (cold_path) {
      changed += a.data != b.data;
    } else {
      EXPECT_EQ(a.data, b.data) << a.name;
      ++same;
    }
  }
  EXPECT_GE(changed, 3);  // the head's layers and at least one feature table moved
  EXPECT_GT(same, 10);
}

TEST(Trainer, ColdUserLossNeedsUserFeatures) {
  data::TinyWorldOptions o;
  o.with_user_features = false;
  const std::string ds_dir = testing::make_world("cold_user_nofeat", o);
  TrainRequest r = tiny_request(ds_dir, "cold_user_nofeat_model");
  r.config.train.epochs = 1;
  r.config.train.cold_user_weight = 0.5;
  run_training(r);
  EXPECT_FALSE(model::load_encoder(r.out_dir, 1)->encodes_cold_users());
}

// train.cold_user_prior: the head's prior is the add-one smoothed log share of training users whose first
// event is each item; it is saved with the weights and the encoder hands it to ranking (Encoder::
// cold_user_item_bias). Without the option, or without cold-user training, there is none.
TEST(Trainer, ColdUserPriorIsWhatTrainingUsersTookFirst) {
  const std::string ds_dir = testing::make_world("cold_prior");
  TrainRequest r = tiny_request(ds_dir, "cold_prior_model");
  r.config.train.epochs = 2;
  r.config.train.cold_user_weight = 0.5;
  r.config.train.cold_user_prior = true;
  run_training(r);
  auto ds = data::Dataset::open(ds_dir);
  const int32_t N = ds->num_items(), U = ds->num_users();
  std::vector<double> count(static_cast<size_t>(N), 1.0);  // every user's first event is a training event (loo)
  for (int32_t u = 0; u < U; ++u) count[static_cast<size_t>(ds->event_items()[ds->user_offsets()[u]])] += 1.0;
  const auto enc = model::load_encoder(r.out_dir, 1);
  ASSERT_TRUE(enc->encodes_cold_users());
  const std::vector<float> bias = enc->cold_user_item_bias();
  ASSERT_EQ(bias.size(), static_cast<size_t>(N));
  for (int32_t i = 0; i < N; ++i) EXPECT_NEAR(bias[i], std::log(count[i] / (N + U)), 1e-5) << "item " << i;
  const auto w = model::read_named_arrays(model::model_weights_path(r.out_dir), "model_weights");
  ASSERT_NE(w.find("cold_user_prior"), nullptr);

  r.config.train.cold_user_prior = false;
  r.out_dir = testing::fresh_dir("cold_prior_off_model");
  run_training(r);
  EXPECT_TRUE(model::load_encoder(r.out_dir, 1)->cold_user_item_bias().empty());
  EXPECT_EQ(model::read_named_arrays(model::model_weights_path(r.out_dir), "model_weights").find("cold_user_prior"), nullptr);
  r.config.train.cold_user_prior = true;
  r.config.train.cold_user_weight = 0;
  r.out_dir = testing::fresh_dir("cold_prior_noloss_model");
  run_training(r);
  EXPECT_TRUE(model::load_encoder(r.out_dir, 1)->cold_user_item_bias().empty());
}

// train.cold_user_holdout: after training, the head (vector + prior) is ranked against its prior alone on the
// first events of users the cold-user loss left out; metrics.json records it, and the head is zeroed in the
// saved weights when it does not rank better (MRR). In the tiny world the features name the group, so a trained
// head wins. Where every user's first event is the same item, the prior alone ranks it first for everyone
// (MRR 1): no head can do better, so it is zeroed.
TEST(Trainer, ColdUserHeadIsCheckedAgainstItsPriorOnHeldOutUsers) {
  const std::string ds_dir = testing::make_world("cold_check");
  data::TinyWorldOptions shared;
  shared.shared_first_item = true;
  const std::string shared_dir = testing::make_world("cold_check_shared", shared);
  for (const bool informative : {true, false}) {
    TrainRequest r = tiny_request(informative ? ds_dir : shared_dir, informative ? "cold_check_trained" : "cold_check_shared_model");
    r.config.train.epochs = 30;
    r.config.train.lr = 1e-2;
    r.config.train.cold_user_weight = 0.5;
    r.config.train.cold_user_holdout = 0.25;
    run_training(r);
    const auto m = nlohmann::json::parse(read_text_file(r.out_dir + "/metrics.json"));
    ASSERT_TRUE(m.contains("cold_user_check") && m["cold_user_check"].is_object()) << m.dump();
    const auto& c = m["cold_user_check"];
    EXPECT_GE(c["users"].get<int>(), 8);
    const bool kept = c["head_kept"].get<bool>();
    EXPECT_EQ(kept, c["head_mrr"].get<double>() > c["prior_mrr"].get<double>());  // the decision's metric
    EXPECT_TRUE(c.contains("head_ndcg10") && c.contains("prior_ndcg10"));
    if (!informative) {
      EXPECT_EQ(c["prior_mrr"].get<double>(), 1.0);
    }
    EXPECT_EQ(kept, informative) << c.dump();
    const auto w = model::read_named_arrays(model::model_weights_path(r.out_dir), "model_weights");
    const model::NamedArray* out_layer = w.find("cold_user2.weight");
    ASSERT_NE(out_layer, nullptr);
    const bool zero = std::all_of(out_layer->data.begin(), out_layer->data.end(), [](float x) { return x == 0.0f; });
    EXPECT_EQ(zero, !kept);
  }
  // The decision is by MRR, also where NDCG@10 says the opposite (a head that puts a few first events in the
  // top 10 but ranks the rest far down).
  EXPECT_TRUE(cold_user_head_wins({{"mrr", 0.071}, {"ndcg@10", 0.065}}, {{"mrr", 0.067}, {"ndcg@10", 0.067}}));
  EXPECT_FALSE(cold_user_head_wins({{"mrr", 0.066}, {"ndcg@10", 0.070}}, {{"mrr", 0.067}, {"ndcg@10", 0.067}}));
  EXPECT_FALSE(cold_user_head_wins({{"mrr", 0.067}}, {{"mrr", 0.067}})) << "a tie keeps the prior";
  // Without the prior there is nothing to compare against: no check.
  TrainRequest r = tiny_request(ds_dir, "cold_check_noprior");
  r.config.train.epochs = 1;
  r.config.train.cold_user_prior = false;
  run_training(r);
  EXPECT_TRUE(nlohmann::json::parse(read_text_file(r.out_dir + "/metrics.json"))["cold_user_check"].is_null());
}

// The full softmax's history mask grows with targets x history: training refuses, before its first step and
// with the figures and the ways out, when a batch could list more pairs than train.max_history_pairs.
TEST(Trainer, HistoryMaskTooLargeForTheFullSoftmaxIsRefusedUpFront) {
  const std::string ds_dir = testing::make_world("history_pairs");
  TrainRequest r = tiny_request(ds_dir, "history_pairs_model");
  r.config.train.epochs = 1;
  r.config.train.loss = "full";
  r.config.train.exclude_history = "true";
  r.config.train.max_history_pairs = 10;
  try {
    run_training(r);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    for (const char* part : {"train.max_history_pairs=10", "train.exclude_history=false", "train.loss=sampled", "pairs"})
      EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  }
  EXPECT_FALSE(std::filesystem::exists(r.out_dir + "/weights.tbl")) << "refused before training";
  r.config.train.loss = "sampled";  // masks candidate columns only: no pairs
  EXPECT_NO_THROW(run_training(r));
  r.config.train.loss = "full";
  r.config.train.max_history_pairs = int64_t{1} << 27;
  EXPECT_NO_THROW(run_training(r));
}

// train.profile_steps: the requested window of steps is profiled into profile.txt (per-step tables of the
// operators' time), and profiling changes nothing in what is trained (losses and weights).
TEST(Trainer, ProfilesTheRequestedStepsWithoutChangingTheRun) {
  const std::string ds = testing::make_world("profile");
  TrainRequest r = tiny_request(ds, "profile_plain");
  r.config.train.epochs = 1;
  r.config.train.batch_size = 8;  // more than 6 steps in the tiny world's epoch
  r.config.train.max_steps = 6;
  run_training(r);
  TrainRequest p = r;
  p.out_dir = testing::fresh_dir("profile_profiled");
  p.config.train.profile_after = 2;
  p.config.train.profile_steps = 3;
  run_training(p);
  const std::string text = read_text_file(p.out_dir + "/profile.txt");
  EXPECT_NE(text.find("steps 2-4 of this run (3 steps, "), std::string::npos) << text;
  EXPECT_NE(text.find("device cpu"), std::string::npos);
  EXPECT_NE(text.find("GPU: no device events recorded"), std::string::npos);
  // The CPU table lists the model's matrix products, and its shares add up to the whole.
  const size_t at = text.find("CPU events by self time");
  ASSERT_NE(at, std::string::npos);
  std::istringstream rows(text.substr(at));
  std::string line;
  std::getline(rows, line);
  std::getline(rows, line);
  double share = 0;
  bool mm = false;
  while (std::getline(rows, line) && line.find("%") != std::string::npos) {
    std::istringstream f(line);
    double ms = 0, pct = 0, calls = 0;
    std::string name;
    f >> ms >> pct;
    f.ignore(1);  // '%'
    f >> calls >> name;
    share += pct;
    mm = mm || name == "aten::mm" || name == "aten::addmm" || name == "aten::bmm";
    EXPECT_GE(ms, 0.0) << line;
    EXPECT_GT(calls, 0.0) << line;
  }
  EXPECT_TRUE(mm) << text;
  EXPECT_GT(share, 30.0) << text;
  EXPECT_LE(share, 100.5) << text;
  // Same steps, same losses and weights.
  const auto a = read_log(r.out_dir), b = read_log(p.out_dir);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0]["step"], 6);
  EXPECT_EQ(a[0]["loss"].get<double>(), b[0]["loss"].get<double>());
  const auto wa = model::read_named_arrays(model::model_checkpoint_path(r.out_dir), "checkpoint");
  const auto wb = model::read_named_arrays(model::model_checkpoint_path(p.out_dir), "checkpoint");
  ASSERT_EQ(wa.arrays.size(), wb.arrays.size());
  for (size_t i = 0; i < wa.arrays.size(); ++i) EXPECT_EQ(wa.arrays[i].data, wb.arrays[i].data) << wa.arrays[i].name;
  EXPECT_FALSE(std::filesystem::exists(r.out_dir + "/profile.txt"));

  // A window the run ends inside is written with the steps it has, and says so.
  TrainRequest cut = p;
  cut.out_dir = testing::fresh_dir("profile_cut");
  cut.config.train.max_steps = 3;
  run_training(cut);
  EXPECT_NE(read_text_file(cut.out_dir + "/profile.txt").find("steps 2-2 of this run (1 steps of the 3 requested"),
            std::string::npos);

  // The window counts a resumed run's own steps (after its warm-up, not the checkpoint's step count), and a
  // profiling request does not stop a run from resuming.
  TrainRequest first = r;
  first.out_dir = testing::fresh_dir("profile_resumed");
  first.config.train.epochs = 2;
  first.config.train.max_steps = 0;
  first.stop_after_epochs = 1;
  run_training(first);
  TrainRequest again = first;
  again.stop_after_epochs = 0;
  again.resume = true;
  again.config.train.profile_after = 1;
  again.config.train.profile_steps = 2;
  run_training(again);
  EXPECT_EQ(read_log(again.out_dir).size(), 2u);
  EXPECT_NE(read_text_file(again.out_dir + "/profile.txt").find("steps 1-2 of this run (2 steps, "), std::string::npos);
}

// train_log.jsonl gives the epoch's throughput after its first 10 steps (warm-up) next to the whole epoch's,
// and null when the epoch has no more than 10 steps.
TEST(Trainer, LogsThroughputAfterTheFirstTenSteps) {
  const std::string ds = testing::make_world("steady");
  for (const int64_t steps : {14, 10}) {
    TrainRequest r = tiny_request(ds, "steady_" + std::to_string(steps));
    r.config.train.epochs = 1;
    r.config.train.batch_size = 4;  // 16 steps in the tiny world's epoch
    r.config.train.max_steps = steps;
    run_training(r);
    const auto log = read_log(r.out_dir);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["step"], steps);
    if (steps > 10) {
      ASSERT_TRUE(log[0]["steady_tokens_per_second"].is_number()) << log[0].dump();
      EXPECT_GT(log[0]["steady_tokens_per_second"].get<double>(), 0.0);
    } else {
      EXPECT_TRUE(log[0]["steady_tokens_per_second"].is_null()) << log[0].dump();
    }
  }
}

}  // namespace
}  // namespace stars::train
