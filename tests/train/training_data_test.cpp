// Torch-free parts of training: configuration, held-out targets and windows, negative sampling, the
// learning-rate schedule, and batches that do not depend on the number of loader threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "../model/test_world.h"
#include "stars/core/config.h"
#include "stars/data/dataset.h"
#include "stars/data/history_stats.h"
#include "stars/model/feature_schema.h"
#include "stars/model/item_content.h"
#include "stars/train/batch_builder.h"
#include "stars/train/batch_loader.h"
#include "stars/train/lr_schedule.h"
#include "stars/train/negative_sampler.h"
#include "stars/train/train_config.h"
#include "stars/train/training_data.h"

namespace stars::train {
namespace {

TEST(TrainConfig, PresetsAblationsAndErrors) {
  for (const char* p : {"cpu", "paper", "sasrec", "tiny"}) EXPECT_NO_THROW(stars_preset(p).validate()) << p;
  StarsConfig c = stars_preset("cpu");
  for (const auto& a : ablation_names()) {
    StarsConfig d = c;
    EXPECT_NO_THROW(apply_ablation(&d, a)) << a;
    EXPECT_NO_THROW(d.validate()) << a;
  }
  {
    StarsConfig d = c;
    apply_ablation(&d, "no-hard-negatives");
    EXPECT_EQ(d.train.page_negatives, 0);
    EXPECT_EQ(d.train.subclass_negatives, 0);
    EXPECT_EQ(d.train.negatives, c.train.negatives);  // the slice keeps its size: random negatives fill it
  }
  apply_ablation(&c, "uniform-negatives");
  EXPECT_EQ(c.train.subclass_negatives, 0);
  EXPECT_EQ(c.train.page_negatives, stars_preset("cpu").train.page_negatives);
  EXPECT_THROW(apply_ablation(&c, "no-magic"), Error);
  config_apply_set(c, "train.lr=0.005");
  EXPECT_DOUBLE_EQ(c.train.lr, 0.005);
  EXPECT_THROW(config_apply_set(c, "train.nope=1"), Error);
  {
    StarsConfig d = c;  // the decoupled decay 1 - lr x decay must stay positive
    d.train.lr = 0.5;
    d.train.weight_decay = 1.9;
    EXPECT_NO_THROW(d.validate());
    d.train.weight_decay = 2;
    EXPECT_THROW(d.validate(), Error);
    d.train.weight_decay = 0;
    d.train.delta_lr_scale = 2;
    d.train.embedding_weight_decay = 0.9;
    EXPECT_NO_THROW(d.validate());
    d.train.embedding_weight_decay = 1;
    EXPECT_THROW(d.validate(), Error);
  }
  c.train.loss = "hinge";
  EXPECT_THROW(c.validate(), Error);
  const StarsConfig s = stars_preset("sasrec");
  EXPECT_FALSE(s.model.use_text);
  EXPECT_FALSE(s.model.use_tags);
  EXPECT_EQ(s.train.loss, "full");
}

TEST(TrainingData, LeaveOneOutHoldsOutTheLastTwoAndEveryOtherEventIsATargetOnce) {
  data::TinyWorldOptions o;
  o.events_per_user = 30;
  const std::string dir = testing::make_world("windows", o, false);
  auto ds = data::Dataset::open(dir);
  TrainConfig cfg;
  TrainingData d(*ds, cfg, /*max_len=*/8);
  ASSERT_EQ(d.valid().size(), static_cast<size_t>(ds->num_users()));
  ASSERT_EQ(d.test().size(), static_cast<size_t>(ds->num_users()));
  const auto off = ds->user_offsets();
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    EXPECT_EQ(d.test()[u].target, static_cast<int64_t>(off[u + 1]) - 1);
    EXPECT_EQ(d.valid()[u].target, static_cast<int64_t>(off[u + 1]) - 2);
    EXPECT_EQ(d.valid()[u].history_end, d.valid()[u].target);
  }
  // Each user's training events form one run of train_events(), and its windows lie inside it.
  for (const Window& w : d.windows()) {
    EXPECT_LE(d.user_begin(w.user), w.begin);
    EXPECT_LE(w.end, d.user_begin(w.user + 1));
  }
  for (int32_t u = 0; u < ds->num_users(); ++u)
    for (uint32_t k = d.user_begin(u); k < d.user_begin(u + 1); ++k) {
      EXPECT_GE(d.train_events()[k], static_cast<int64_t>(off[u]));
      EXPECT_LT(d.train_events()[k], static_cast<int64_t>(off[u + 1]));
    }
  // Every training event but each user's first is a target exactly once; windows hold <= max_len + 1 events.
  std::multiset<int64_t> targets;
  for (const Window& w : d.windows()) {
    EXPECT_LE(w.end - w.begin, 9u);
    EXPECT_GE(w.end - w.begin, 2u);
    for (uint32_t k = w.begin + 1; k < w.end; ++k) targets.insert(d.train_events()[k]);
  }
  EXPECT_EQ(static_cast<int64_t>(targets.size()), d.num_train_targets());
  EXPECT_EQ(d.num_train_targets(), static_cast<int64_t>(ds->num_users()) * (30 - 2 - 1));
  for (int64_t e : targets) EXPECT_EQ(targets.count(e), 1u);
  cfg.windows = "last";
  TrainingData last(*ds, cfg, 8);
  EXPECT_EQ(last.windows().size(), static_cast<size_t>(ds->num_users()));
}

TEST(TrainingData, ExcludeColdUsersDropsTheirWindowsAndHeldOutQueries) {
  data::TinyWorldOptions o;
  o.cold_user_fraction = 0.25;
  const std::string dir = testing::make_world("cold_users", o, false);
  auto ds = data::Dataset::open(dir);
  ASSERT_EQ(ds->info().splits.num_cold_users, 16);
  TrainConfig cfg;
  const TrainingData all(*ds, cfg, 8);
  cfg.exclude_cold_users = true;
  const TrainingData warm(*ds, cfg, 8);
  std::set<int32_t> cold_in_all, users_in_warm;
  for (const Window& w : all.windows())
    if (ds->user_is_cold(w.user)) cold_in_all.insert(w.user);
  EXPECT_EQ(cold_in_all.size(), 16u) << "without the flag cold users train like any other";
  for (const Window& w : warm.windows()) {
    EXPECT_FALSE(ds->user_is_cold(w.user)) << "window of cold user " << w.user;
    users_in_warm.insert(w.user);
  }
  EXPECT_EQ(users_in_warm.size(), static_cast<size_t>(ds->num_users() - 16));
  const auto off = ds->user_offsets();
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    if (!ds->user_is_cold(u)) continue;
    EXPECT_EQ(warm.user_begin(u), warm.user_begin(u + 1)) << "training events of cold user " << u;
  }
  for (int64_t e : warm.train_events()) {
    const int32_t u = static_cast<int32_t>(std::upper_bound(off.begin(), off.end(), static_cast<uint64_t>(e)) - off.begin()) - 1;
    EXPECT_FALSE(ds->user_is_cold(u)) << "event " << e;
  }
  for (const auto* qs : {&warm.valid(), &warm.test()}) {
    EXPECT_EQ(qs->size(), static_cast<size_t>(ds->num_users() - 16));
    for (const EvalQuery& q : *qs) EXPECT_FALSE(ds->user_is_cold(q.user)) << "held-out query of cold user " << q.user;
  }
  EXPECT_EQ(all.valid().size(), static_cast<size_t>(ds->num_users()));
  EXPECT_EQ(warm.num_train_targets(), all.num_train_targets() / ds->num_users() * (ds->num_users() - 16));
  cfg.valid_protocol = "session";
  cfg.split = "temporal";
  EXPECT_THROW(cfg.validate(), Error) << "session validation would rank cold users' sessions";
}

TEST(NegativeSampler, PagesFirstThenSubclassThenRandomNeverTheTarget) {
  const std::string dir = testing::make_world("sampler", {}, false);
  auto ds = data::Dataset::open(dir);
  TrainConfig cfg;
  cfg.negatives = 12;
  cfg.page_negatives = 3;
  cfg.subclass_negatives = 4;
  std::vector<int64_t> counts(ds->num_items(), 1);
  NegativeSampler s(*ds, cfg, counts);
  Rng rng(1);
  std::vector<int32_t> out(12);
  const auto ue = ds->user_events(2);
  for (size_t k = 0; k < ue.size(); ++k) {
    const int32_t target = ue.items[k];
    s.sample(target, ue.pages[k], rng, out.data());
    const auto shown = ds->page_items(ue.pages[k]);
    for (int j = 0; j < 12; ++j) EXPECT_NE(out[j], target);
    for (int j = 0; j < 3; ++j)
      EXPECT_NE(std::find(shown.begin(), shown.end(), out[j]), shown.end()) << "same-page negatives come first";
    for (int j = 3; j < 7; ++j) EXPECT_EQ(ds->item_subclass(out[j]), ds->item_subclass(target)) << "then the subclass";
  }
  {
    // An item the user also clicked on the page was not skipped: never a page or subclass negative. With
    // 2 page + 6 subclass negatives and 8-item subclasses, every slot is a page or subclass draw.
    TrainConfig hard = cfg;
    hard.negatives = 8;
    hard.page_negatives = 2;
    hard.subclass_negatives = 6;
    NegativeSampler hs(*ds, hard, counts);
    std::vector<int32_t> out8(8);
    int checked = 0;
    for (size_t k = 0; k < ue.size(); ++k) {
      const int32_t target = ue.items[k];
      int32_t clicked = -1;
      for (int32_t it : ds->page_items(ue.pages[k]))
        if (it != target && ds->item_subclass(it) == ds->item_subclass(target)) clicked = it;
      if (clicked < 0) continue;
      for (int rep = 0; rep < 20; ++rep) {
        hs.sample(target, ue.pages[k], rng, out8.data(), 0, nullptr, nullptr, &clicked, 1);
        for (int j = 0; j < 8; ++j) EXPECT_NE(out8[j], clicked) << "slot " << j;
      }
      ++checked;
    }
    EXPECT_GT(checked, 0);
  }
  cfg.page_negatives = 0;
  cfg.subclass_negatives = 0;
  NegativeSampler uniform(*ds, cfg, counts);
  int same = 0;
  for (int r = 0; r < 50; ++r) {
    uniform.sample(0, -1, rng, out.data());
    for (int j = 0; j < 12; ++j) same += ds->item_subclass(out[j]) == ds->item_subclass(0);
  }
  EXPECT_LT(same, 600 / 2) << "uniform negatives are not concentrated in the target's subclass";
  // Shared negatives are distinct; asking for more than the catalog gives the catalog once.
  std::vector<int32_t> sh(100);
  EXPECT_EQ(s.sample_shared(100, rng, sh.data()), ds->num_items());
  EXPECT_EQ(std::set<int32_t>(sh.begin(), sh.begin() + ds->num_items()).size(), static_cast<size_t>(ds->num_items()));
  for (int k : {5, 20}) {
    ASSERT_EQ(s.sample_shared(k, rng, sh.data()), k);
    EXPECT_EQ(std::set<int32_t>(sh.begin(), sh.begin() + k).size(), static_cast<size_t>(k));
  }
  const std::vector<float> b = popularity_prior({10, 0, 90}, 1.0, 1.0);
  EXPECT_LT(b[2], b[0]);
  EXPECT_LT(b[0], b[1]) << "b_k = -gamma log pi_k: rarer items get a larger bias";
  EXPECT_EQ(popularity_prior({10, 0}, 0.0, 1.0)[1], 0.0f);
}

// With hard_negative_skip = user the builder hands the sampler every item of the user's training events:
// no page or subclass negative is one of them (random draws still may be). Checked strictly on targets
// whose page and subclass hold enough other items that no slot falls back to a random draw.
TEST(NegativeSampler, HardNegativesSkipEveryItemTheUserTook) {
  data::TinyWorldOptions o;
  o.items_per_group = 40;  // a user takes at most 8 of its subclass's 40 items
  o.events_per_user = 8;
  const std::string dir = testing::make_world("skip_user", o, false);
  auto ds = data::Dataset::open(dir);
  TrainConfig cfg;
  cfg.negatives = 4;
  cfg.page_negatives = 2;
  cfg.subclass_negatives = 2;
  std::vector<int64_t> counts(ds->num_items(), 1);
  NegativeSampler s(*ds, cfg, counts);
  Rng rng(3);
  std::vector<int32_t> out(4);
  int strict = 0;
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    const auto ue = ds->user_events(u);
    std::vector<int32_t> taken(ue.items.begin(), ue.items.end());
    std::sort(taken.begin(), taken.end());
    taken.erase(std::unique(taken.begin(), taken.end()), taken.end());
    auto took = [&](int32_t c) { return std::binary_search(taken.begin(), taken.end(), c); };
    for (size_t k = 0; k < ue.size(); ++k) {
      const int32_t target = ue.items[k];
      if (ue.pages[k] < 0) continue;
      int page_ok = 0, sub_ok = 0;
      for (int32_t it : ds->page_items(ue.pages[k])) page_ok += it != target && !took(it);
      for (int32_t it = 0; it < ds->num_items(); ++it)
        sub_ok += it != target && !took(it) && ds->item_subclass(it) == ds->item_subclass(target);
      if (page_ok < 2 || sub_ok < 4) continue;  // a page item can also be a subclass item
      s.sample(target, ue.pages[k], rng, out.data(), 0, nullptr, nullptr, taken.data(), static_cast<int>(taken.size()));
      for (int j = 0; j < 4; ++j) EXPECT_FALSE(took(out[j])) << "user " << u << " slot " << j << " item " << out[j];
      ++strict;
    }
  }
  EXPECT_GT(strict, 20);

  // The batch builder: under skip = user far fewer negatives are the user's own items than under page.
  model::ModelConfig mc = model::model_preset("tiny");
  auto user_items_among_negatives = [&](const std::string& skip) {
    TrainConfig c = cfg;
    c.hard_negative_skip = skip;
    TrainingData data(*ds, c, mc.max_len);
    NegativeSampler sampler(*ds, c, data.item_train_counts());
    const model::ItemContent content = model::load_item_content(*ds);
    const model::FeatureSchema schema = model::build_feature_schema(*ds, content);
    model::BatchFeaturizer f(mc, schema, nullptr);
    BatchBuilder builder(*ds, data, f, &sampler, mc.max_len, /*all_items=*/true, 0);
    int hits = 0;
    for (uint32_t wi = 0; wi < data.windows().size(); ++wi) {
      const Window& w = data.windows()[wi];
      std::set<int32_t> mine;
      for (size_t e = data.user_begin(w.user); e < data.user_begin(w.user + 1); ++e)
        mine.insert(ds->event_items()[data.train_events()[e]]);
      model::TokenBatch tb;
      model::ItemSlots slots(ds->num_items());
      builder.build_train(&wi, 1, 7, &tb, &slots);
      for (int64_t t = 0; t < tb.n_targets; ++t)
        for (int c = 1; c < tb.n_cands; ++c) hits += mine.count(static_cast<int32_t>(tb.cands[t * tb.n_cands + c])) > 0;
    }
    return hits;
  };
  const int page_hits = user_items_among_negatives("page"), user_hits = user_items_among_negatives("user");
  EXPECT_GT(page_hits, 0);
  EXPECT_LT(user_hits, page_hits / 2) << "page " << page_hits << ", user " << user_hits;
}

// The log Q tests' setting: 12 negatives (2 page, 3 subclass), counts 1-5, and a target of user 3 shown
// on a page with another item the user clicked (so drawn only at random).
struct LogQCase {
  std::unique_ptr<data::Dataset> ds;
  TrainConfig cfg;
  std::vector<int64_t> counts;
  int32_t target = -1, page = -1, clicked = -1;
};

LogQCase logq_case() {
  LogQCase c;
  c.ds = data::Dataset::open(testing::make_world("logq", {}, false));
  c.cfg.negatives = 12;
  c.cfg.page_negatives = 2;
  c.cfg.subclass_negatives = 3;
  c.counts.resize(c.ds->num_items());
  for (int32_t i = 0; i < c.ds->num_items(); ++i) c.counts[i] = 1 + i % 5;
  const auto ue = c.ds->user_events(3);
  c.target = ue.items[4];
  c.page = ue.pages[4];
  if (c.page >= 0)
    for (int32_t it : c.ds->page_items(c.page))
      if (it != c.target) c.clicked = it;
  return c;
}

TEST(NegativeSampler, LogQIsTheExpectedNumberOfOccurrences) {
  LogQCase lc = logq_case();
  const data::Dataset* ds = lc.ds.get();
  TrainConfig& cfg = lc.cfg;
  const int32_t target = lc.target, page = lc.page, clicked = lc.clicked;
  ASSERT_GE(page, 0);
  ASSERT_GE(clicked, 0);
  using Draws = std::pair<const char*, const char*>;  // (subclass draws, random draws)
  for (const auto& [subclass, random] : {Draws{"uniform", "uniform"}, Draws{"uniform", "popularity"},
                                         Draws{"popularity", "uniform"}, Draws{"popularity", "popularity"}}) {
    const std::string mode = std::string(subclass) + "/" + random;
    cfg.subclass_draws = subclass;
    cfg.random_negatives = random;
    NegativeSampler s(*ds, cfg, lc.counts);
    const int shared = 5;
    Rng rng(11);
    std::vector<int32_t> out(12);
    std::vector<float> lq(12);
    std::vector<double> seen(ds->num_items(), 0.0), expect(ds->num_items(), 0.0);
    const int reps = 20000;
    float scale = 0;
    for (int r = 0; r < reps; ++r) {
      s.sample(target, page, rng, out.data(), shared, lq.data(), &scale, &clicked, 1);
      for (int j = 0; j < 12; ++j) {
        seen[out[j]] += 1.0 / reps;
        expect[out[j]] = std::exp(lq[j]) - shared * std::exp(s.log_share(out[j]));  // without the shared draws
      }
    }
    // The random draws are the 12 - 2 - 3 = 7 not taken from the page or the subclass.
    EXPECT_NEAR(scale, std::log(7.0 + shared), 1e-5);
    int checked = 0;
    for (int32_t i = 0; i < ds->num_items(); ++i) {
      if (seen[i] < 0.05) continue;
      EXPECT_NEAR(seen[i], expect[i], 0.05 * expect[i] + 0.01) << mode << " item " << i;
      ++checked;
    }
    EXPECT_GT(checked, 5);
    // Subclass draws (the expectation without the random share) are even or follow the counts + 1.
    const int32_t sub = ds->item_subclass(target);
    std::vector<std::pair<double, double>> by_weight;  // (count + 1, subclass share)
    for (int32_t i = 0; i < ds->num_items(); ++i)
      if (i != target && i != clicked && ds->item_subclass(i) == sub && seen[i] > 0 &&
          std::count(ds->page_items(page).begin(), ds->page_items(page).end(), i) == 0)
        by_weight.emplace_back(lc.counts[i] + 1.0, expect[i] - 7.0 * std::exp(s.log_share(i)));
    ASSERT_GE(by_weight.size(), 4u) << mode;  // more items than the 3 draws, so they are sampled
    for (const auto& [w, share] : by_weight) {
      const double ref = cfg.subclass_draws == "popularity" ? by_weight[0].second * w / by_weight[0].first
                                                            : by_weight[0].second;
      EXPECT_NEAR(share, ref, 1e-4) << mode << " weight " << w;
    }
    // The clicked item comes up at random only: its expected count is the random draws' share.
    EXPECT_NEAR(expect[clicked], 7.0 * std::exp(s.log_share(clicked)), 1e-4);
  }
}

TEST(NegativeSampler, SharedNegativesCountThePageAndSubclassChancesOfTheirTarget) {
  // A shared negative is one more occurrence of its item: where the target's page or subclass could also
  // draw it, its log Q must be the one the item gets among the target's own negatives (all sources
  // counted), or those items would count twice in the softmax's denominator.
  const LogQCase lc = logq_case();
  const data::Dataset* ds = lc.ds.get();
  const int32_t target = lc.target, page = lc.page, clicked = lc.clicked, sub = ds->item_subclass(target);
  ASSERT_GE(page, 0);
  ASSERT_GE(clicked, 0);
  ASSERT_GE(sub, 0);
  NegativeSampler s(*ds, lc.cfg, lc.counts);
  // The shared pool: the page, the target's subclass, the clicked item and a few others, without repeats.
  std::vector<int32_t> pool(ds->page_items(page).begin(), ds->page_items(page).end());
  for (int32_t i = 0; i < ds->num_items(); ++i)
    if (ds->item_subclass(i) == sub || i % 7 == 0) pool.push_back(i);
  std::sort(pool.begin(), pool.end());
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  const SharedIndex index(*ds, pool.data(), static_cast<int>(pool.size()));
  Rng rng(5);
  std::vector<int32_t> out(12);
  std::vector<float> lq(12);
  std::vector<SharedLogQ> pairs;
  int matched = 0;
  for (int r = 0; r < 300; ++r) {
    float scale = 0;
    s.sample(target, page, rng, out.data(), index.size(), lq.data(), &scale, &clicked, 1, &index, &pairs);
    std::vector<float> column_logq(pool.size());
    for (size_t k = 0; k < pool.size(); ++k) column_logq[k] = scale + s.log_share(pool[k]);
    std::set<int32_t> listed;
    for (const SharedLogQ& p : pairs) {
      ASSERT_TRUE(listed.insert(p.column).second) << "column " << p.column << " listed twice";
      const int32_t item = pool[p.column];
      EXPECT_TRUE(item != target && item != clicked) << "the target and taken items are only random draws";
      const bool on_page = std::count(ds->page_items(page).begin(), ds->page_items(page).end(), item) > 0;
      EXPECT_TRUE(on_page || ds->item_subclass(item) == sub) << "item " << item;
      EXPECT_GT(p.log_q, column_logq[p.column]) << "page and subclass chances add to the random one";
      column_logq[p.column] = p.log_q;
    }
    for (size_t k = 0; k < pool.size(); ++k) {
      if (pool[k] != target && pool[k] != clicked && ds->item_subclass(pool[k]) == sub) {
        EXPECT_EQ(listed.count(static_cast<int32_t>(k)), 1u) << "subclass item " << pool[k] << " not listed";
      }
    }
    // Every occurrence of an item is weighed alike.
    for (int j = 0; j < 12; ++j) {
      const auto at = std::lower_bound(pool.begin(), pool.end(), out[j]);
      if (at == pool.end() || *at != out[j]) continue;
      EXPECT_NEAR(column_logq[at - pool.begin()], lq[j], 1e-5) << "item " << out[j];
      ++matched;
    }
  }
  EXPECT_GT(matched, 300);
}

TEST(NegativeSampler, CorrectedSliceFollowsTheFullSoftmaxGradient) {
  // The sampled loss's gradient on each logit, exp(z_k - log Q_k) / Z^ per occurrence, averaged over many
  // draws of the slice and the shared pool, is the full softmax's exp(z_k) / Z: for the target's page
  // items, its subclass and the rest (logits set so that the page and the subclass hold much of Z).
  data::TinyWorldOptions o;
  o.num_groups = 10;
  o.items_per_group = 20;
  auto ds = data::Dataset::open(testing::make_world("slicegrad", o, false));
  const int32_t N = ds->num_items();
  const auto ue = ds->user_events(3);
  const int32_t target = ue.items[4], page = ue.pages[4], sub = ds->item_subclass(target);
  ASSERT_GE(page, 0);
  std::vector<uint8_t> on_page(N, 0);
  for (int32_t it : ds->page_items(page)) on_page[it] = 1;
  std::vector<double> z(N);
  Rng zr(3);
  for (int32_t i = 0; i < N; ++i) z[i] = on_page[i] ? 2.0 : ds->item_subclass(i) == sub ? 1.5 : 2 * zr.uniform01() - 1;
  z[target] = 3.0;
  double Z = 0;
  for (double v : z) Z += std::exp(v);
  TrainConfig cfg;
  cfg.negatives = 12;
  cfg.page_negatives = 3;
  cfg.subclass_negatives = 4;
  NegativeSampler s(*ds, cfg, std::vector<int64_t>(N, 1));
  const int K = 60, reps = 20000;
  std::vector<double> g(N, 0.0);
  std::vector<int32_t> out(12), sh(K);
  std::vector<float> lq(12);
  std::vector<double> slq(K);
  std::vector<SharedLogQ> pairs;
  Rng rng(9);
  for (int r = 0; r < reps; ++r) {
    ASSERT_EQ(s.sample_shared(K, rng, sh.data()), K);
    const SharedIndex index(*ds, sh.data(), K);
    float scale = 0;
    s.sample(target, page, rng, out.data(), K, lq.data(), &scale, nullptr, 0, &index, &pairs);
    for (int k = 0; k < K; ++k) slq[k] = scale + s.log_share(sh[k]);
    for (const SharedLogQ& p : pairs) slq[p.column] = p.log_q;
    double Zh = std::exp(z[target]);
    for (int j = 0; j < 12; ++j) Zh += std::exp(z[out[j]] - lq[j]);
    for (int k = 0; k < K; ++k)
      if (sh[k] != target) Zh += std::exp(z[sh[k]] - slq[k]);
    for (int j = 0; j < 12; ++j) g[out[j]] += std::exp(z[out[j]] - lq[j]) / Zh / reps;
    for (int k = 0; k < K; ++k)
      if (sh[k] != target) g[sh[k]] += std::exp(z[sh[k]] - slq[k]) / Zh / reps;
  }
  double got[3] = {0, 0, 0}, want[3] = {0, 0, 0};  // page, rest of the subclass, other items
  for (int32_t i = 0; i < N; ++i) {
    if (i == target) continue;
    const int group = on_page[i] ? 0 : ds->item_subclass(i) == sub ? 1 : 2;
    got[group] += g[i];
    want[group] += std::exp(z[i]) / Z;
  }
  EXPECT_GT(want[0] + want[1], 0.25);
  for (int group = 0; group < 3; ++group) EXPECT_NEAR(got[group], want[group], 0.02 * want[group]) << "group " << group;
}

TEST(LrSchedule, WarmupThenCosine) {
  TrainConfig c;
  c.lr = 1.0;
  c.lr_warmup_frac = 0.1;
  c.lr_start_frac = 0.1;
  c.lr_final_frac = 0.0;
  EXPECT_DOUBLE_EQ(learning_rate(c, 0, 100), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate(c, 10, 100), 1.0);
  EXPECT_NEAR(learning_rate(c, 55, 100), 0.5, 1e-9);
  EXPECT_NEAR(learning_rate(c, 100, 100), 0.0, 1e-9);
  EXPECT_LT(learning_rate(c, 80, 100), learning_rate(c, 60, 100));
  c.schedule = "constant";
  EXPECT_DOUBLE_EQ(learning_rate(c, 55, 100), 1.0);
}

TEST(BatchLoader, SameBatchesWhateverTheThreadCount) {
  const std::string dir = testing::make_world("loader", {}, false);
  auto ds = data::Dataset::open(dir);
  const model::ItemContent content = model::load_item_content(*ds);
  const model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  const model::CalendarIndex cal = model::calendar_from_dataset(*ds);
  const model::ModelConfig mc = model::model_preset("tiny");
  TrainConfig cfg = stars_preset("tiny").train;
  TrainingData data(*ds, cfg, mc.max_len);
  NegativeSampler sampler(*ds, cfg, data.item_train_counts());
  model::BatchFeaturizer f(mc, schema, &cal);
  BatchBuilder builder(*ds, data, f, &sampler, mc.max_len, false);
  auto run = [&](int threads, int epoch) {
    std::vector<uint32_t> lengths;
    for (const Window& w : data.windows()) lengths.push_back(w.end - w.begin);
    BatchLoader loader(builder, lengths, ds->num_items(), 16, /*bucket=*/2, threads, 3, 7);
    loader.start_epoch(epoch);
    std::vector<std::vector<int64_t>> seen;
    while (auto b = loader.next()) {
      std::vector<int64_t> global;
      for (int64_t c : b->cands) global.push_back(b->uniq[c]);
      for (size_t s = 0; s < b->item_local.size(); ++s) global.push_back(b->valid[s] ? b->uniq[b->item_local[s]] : -1);
      seen.push_back(global);
      EXPECT_EQ(static_cast<int64_t>(b->cands.size()), b->n_targets * b->n_cands);
      for (int64_t t = 0; t < b->n_targets; ++t) EXPECT_EQ(b->uniq[b->cands[t * b->n_cands]], b->tgt_item[t]);
      EXPECT_TRUE(std::adjacent_find(b->uniq.begin(), b->uniq.end(), std::greater_equal<int64_t>()) == b->uniq.end())
          << "uniq ascends, each item once";
    }
    return seen;
  };
  const auto a = run(1, 0), b = run(3, 0), c = run(1, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c) << "each epoch has its own order and negatives";
  EXPECT_EQ(a.size(), (data.windows().size() + 15) / 16);
}


// The last slot of a training window and an evaluation query over the same history must see the same
// features (recency included: every slot measures it to the next event, the last one to the request time).
// A window that starts at its user's first event has a first target (the cold-user loss), unless the user is
// held out of that loss (train.cold_user_holdout).
TEST(BatchBuilder, HeldOutUsersRowsHaveNoFirstTarget) {
  const std::string dir = testing::make_world("holdout", {}, false);
  auto ds = data::Dataset::open(dir);
  const model::ItemContent content = model::load_item_content(*ds);
  const model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  const model::ModelConfig mc = model::model_preset("tiny");
  TrainConfig cfg = stars_preset("tiny").train;
  TrainingData data(*ds, cfg, mc.max_len);
  model::BatchFeaturizer f(mc, schema, nullptr);
  BatchBuilder builder(*ds, data, f, nullptr, mc.max_len, true);
  std::vector<uint8_t> holdout(static_cast<size_t>(ds->num_users()), 0);
  for (size_t u = 0; u < holdout.size(); u += 2) holdout[u] = 1;
  int firsts = 0;
  for (uint32_t wi = 0; wi < data.windows().size(); ++wi) {
    const Window& w = data.windows()[wi];
    if (w.begin != data.user_begin(w.user)) continue;
    model::TokenBatch a, b;
    model::ItemSlots slots(ds->num_items());
    builder.set_cold_user_holdout(nullptr);
    builder.build_train(&wi, 1, 1, &a, &slots);
    builder.set_cold_user_holdout(&holdout);
    builder.build_train(&wi, 1, 1, &b, &slots);
    EXPECT_EQ(a.row_first_target[0], 0) << "window " << wi;
    EXPECT_EQ(b.row_first_target[0], holdout[static_cast<size_t>(w.user)] ? -1 : 0) << "window " << wi;
    EXPECT_EQ(a.tgt_item, b.tgt_item) << "the main loss's targets stay";
    ++firsts;
  }
  EXPECT_GT(firsts, 10);
}

TEST(BatchBuilder, TrainingAndEvaluationFeaturizeAHistoryAlike) {
  data::TinyWorldOptions o;
  o.events_per_user = 12;
  const std::string dir = testing::make_world("alike", o, false);
  auto ds = data::Dataset::open(dir);
  const model::ItemContent content = model::load_item_content(*ds);
  const model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  const model::CalendarIndex cal = model::calendar_from_dataset(*ds);
  model::ModelConfig mc = model::model_preset("tiny");
  mc.max_len = 16;
  TrainConfig cfg = stars_preset("tiny").train;
  cfg.windows = "last";
  TrainingData data(*ds, cfg, mc.max_len);
  model::BatchFeaturizer f(mc, schema, &cal);
  BatchBuilder builder(*ds, data, f, nullptr, mc.max_len, true);
  ASSERT_TRUE(schema.has_time);
  const auto off = ds->user_offsets();
  int checked = 0;
  for (uint32_t wi = 0; wi < data.windows().size(); ++wi) {
    const Window& w = data.windows()[wi];
    // The window's events are the user's training events; its last target is the event before validation.
    const int64_t last_target = data.train_events()[w.end - 1];
    const int64_t first_input = data.train_events()[w.begin];
    if (last_target != data.valid()[w.user].target - 1 || first_input != static_cast<int64_t>(off[w.user])) continue;
    model::TokenBatch tb, eb;
    model::ItemSlots slots(ds->num_items());
    builder.build_train(&wi, 1, 1, &tb, &slots);
    const EvalQuery q{w.user, last_target, last_target};
    builder.build_eval(&q, 1, &eb);
    ASSERT_EQ(tb.T, eb.T);
    for (int32_t t = 0; t < tb.T; ++t) {
      EXPECT_EQ(tb.valid[t], eb.valid[t]) << "slot " << t;
      EXPECT_EQ(tb.recency[t], eb.recency[t]) << "slot " << t;
      EXPECT_EQ(tb.hour[t], eb.hour[t]) << "slot " << t;
      EXPECT_EQ(tb.type[t], eb.type[t]) << "slot " << t;
    }
    // The tiny world spaces a user's events one hour apart: each slot is one hour before its next request
    // (a window-wide reference time would give the earlier slots larger buckets).
    for (int32_t t = 0; t < tb.T; ++t) {
      if (tb.valid[t]) {
        EXPECT_EQ(tb.recency[t], model::recency_bucket(3600, mc.recency_buckets)) << "slot " << t;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}


TEST(History, RepeatRateAndTheAutoRule) {
  data::TinyWorldOptions o;
  o.events_per_user = 20;
  const std::string dir = testing::make_world("repeats", o, false);
  auto ds = data::Dataset::open(dir);
  // Against a direct count over every other event (a user's first counted event cannot repeat).
  std::vector<uint8_t> mask(ds->num_events());
  for (size_t e = 0; e < mask.size(); ++e) mask[e] = e % 2;
  int64_t counted = 0, repeats = 0;
  const auto off = ds->user_offsets();
  for (int32_t u = 0; u < ds->num_users(); ++u) {
    std::set<int32_t> seen;
    for (uint64_t e = off[u]; e < off[u + 1]; ++e) {
      if (!mask[e]) continue;
      const int32_t it = ds->event_items()[e];
      if (!seen.empty()) ++counted, repeats += seen.count(it) > 0;
      seen.insert(it);
    }
  }
  ASSERT_GT(repeats, 0) << "the tiny world's users come back to items";
  EXPECT_DOUBLE_EQ(data::repeat_rate(*ds, mask), static_cast<double>(repeats) / counted);
  EXPECT_EQ(data::repeat_rate(*ds, std::vector<uint8_t>(ds->num_events(), 0)), 0.0);
  EXPECT_THROW(data::repeat_rate(*ds, std::vector<uint8_t>(3, 1)), Error);
  EXPECT_TRUE(data::resolve_exclude_history("auto", 0.0, "f"));
  EXPECT_FALSE(data::resolve_exclude_history("auto", 0.2, "f"));
  EXPECT_TRUE(data::resolve_exclude_history("true", 0.2, "f"));
  EXPECT_FALSE(data::resolve_exclude_history("false", 0.0, "f"));
  try {
    data::resolve_exclude_history("sometimes", 0.0, "train.exclude_history");
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.exclude_history"), std::string::npos) << e.what();
  }
  StarsConfig c = stars_preset("cpu");
  EXPECT_EQ(c.train.exclude_history, "auto");
  c.train.exclude_history = "yes";
  EXPECT_THROW(c.validate(), Error);
}

TEST(BatchBuilder, ExcludedHistoryIsEveryEarlierTrainingItemOfTheUserButNeverTheTarget) {
  data::TinyWorldOptions o;
  o.events_per_user = 20;
  const std::string dir = testing::make_world("exclude", o, false);
  auto ds = data::Dataset::open(dir);
  const model::ItemContent content = model::load_item_content(*ds);
  const model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  model::ModelConfig mc = model::model_preset("tiny");
  mc.max_len = 5;  // several windows per user: earlier windows' items count too
  TrainConfig cfg = stars_preset("tiny").train;
  cfg.negatives = 12;
  TrainingData data(*ds, cfg, mc.max_len);
  model::BatchFeaturizer f(mc, schema, nullptr);
  NegativeSampler sampler(*ds, cfg, data.item_train_counts());
  const auto& ev = data.train_events();
  const auto items = ds->event_items();
  int with_prior_window = 0, cand_hits = 0, shared_hits = 0, repeats = 0;
  // Shared columns are found from the history when it is shorter than them (30), else from the columns (4).
  for (const auto& [all_items, shared] : std::vector<std::pair<bool, int>>{{false, 30}, {false, 4}, {true, 0}}) {
    BatchBuilder builder(*ds, data, f, &sampler, mc.max_len, all_items, shared, /*exclude_history=*/true);
    BatchBuilder plain(*ds, data, f, &sampler, mc.max_len, all_items, shared, false);
    int64_t earlier_events = 0, most_pairs = 0;  // over all targets, and in one window
    for (uint32_t wi = 0; wi < data.windows().size(); ++wi) {
      const Window& w = data.windows()[wi];
      model::TokenBatch tb, pb;
      model::ItemSlots slots(ds->num_items());
      builder.build_train(&wi, 1, 5, &tb, &slots);
      plain.build_train(&wi, 1, 5, &pb, &slots);
      EXPECT_TRUE(pb.hist_tgt.empty() && pb.hist_cand.empty() && pb.hist_shared.empty());
      EXPECT_EQ(tb.cands, pb.cands) << "exclusion changes no sample";
      EXPECT_EQ(tb.shared_item, pb.shared_item);
      const std::set<int64_t> shared_listed(tb.hist_shared.begin(), tb.hist_shared.end());
      EXPECT_EQ(shared_listed.size(), tb.hist_shared.size()) << "a shared column is listed once per target";
      ASSERT_EQ(tb.hist_tgt.size(), tb.hist_item.size());
      // (target, item) pairs only for the full softmax, each distinct item once.
      if (!all_items) {
        EXPECT_TRUE(tb.hist_tgt.empty()) << "the sampled loss masks columns only";
      }
      most_pairs = std::max<int64_t>(most_pairs, static_cast<int64_t>(tb.hist_tgt.size()));
      std::vector<std::multiset<int32_t>> listed(tb.n_targets);
      for (size_t p = 0; p < tb.hist_tgt.size(); ++p) listed[tb.hist_tgt[p]].insert(static_cast<int32_t>(tb.hist_item[p]));
      for (int64_t t = 0; t < tb.n_targets; ++t) {
        const int64_t target_event = ev[w.begin + t + 1];
        const int32_t target = items[target_event];
        ASSERT_EQ(tb.tgt_item[t], target);
        std::set<int32_t> expected;
        for (int64_t k = 0; k < w.begin + t + 1; ++k)
          if (ev[k] >= static_cast<int64_t>(ds->user_offsets()[w.user]) && ev[k] < target_event) {
            ++earlier_events;
            if (items[ev[k]] == target) continue;
            repeats += !expected.insert(items[ev[k]]).second;
          }
        if (all_items) {
          EXPECT_EQ(listed[t], std::multiset<int32_t>(expected.begin(), expected.end())) << "window " << wi << " target " << t;
        }
        with_prior_window += w.begin > 0 && ev[w.begin - 1] >= static_cast<int64_t>(ds->user_offsets()[w.user]);
        // Candidate columns: exactly the negatives that are one of those items.
        const int C1 = tb.n_cands;
        std::set<int64_t> cand_listed(tb.hist_cand.begin(), tb.hist_cand.end());
        for (int c = 1; c < C1; ++c) {
          const int64_t flat = t * C1 + c;
          const int64_t local = tb.cands[flat];
          const int32_t item = static_cast<int32_t>(all_items ? local : tb.uniq[local]);
          const bool in_history = item != target && expected.count(item) > 0;
          EXPECT_EQ(cand_listed.count(flat) > 0, in_history) << "target " << t << " column " << c;
          cand_hits += in_history;
        }
        // Shared columns too: the loss ranks none of the history.
        const int64_t K = static_cast<int64_t>(tb.shared_item.size());
        for (int64_t k = 0; k < K; ++k) {
          const int32_t item = static_cast<int32_t>(tb.shared_item[k]);
          const bool in_history = item != target && expected.count(item) > 0;
          EXPECT_EQ(shared_listed.count(t * K + k) > 0, in_history) << "target " << t << " shared column " << k;
          shared_hits += in_history;
        }
      }
    }
    // The bound of a batch's pairs, checked before training: every earlier event of every target of the
    // batch_size windows with the most of them (repeated items and the target's own item included).
    if (all_items) {
      EXPECT_EQ(builder.max_history_pairs(static_cast<int>(data.windows().size())), earlier_events);
      EXPECT_GE(builder.max_history_pairs(1), most_pairs);
      EXPECT_LE(builder.max_history_pairs(1), builder.max_history_pairs(2));
    } else {
      EXPECT_EQ(builder.max_history_pairs(8), 0) << "no pairs without the full softmax";
    }
    EXPECT_EQ(plain.max_history_pairs(8), 0);
  }
  EXPECT_GT(with_prior_window, 0);
  EXPECT_GT(cand_hits, 0);
  EXPECT_GT(shared_hits, 0);
  EXPECT_GT(repeats, 0) << "the world has repeated items, each listed once";

}

}  // namespace
}  // namespace stars::train

