// The training loop of `stars train` (see trainer.h); the losses are in losses.h.
#include "stars/train/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/random.h"
#include "stars/core/strings.h"
#include "stars/core/thread_pool.h"
#include "stars/data/dataset.h"
#include "stars/data/history_stats.h"
#include "stars/eval/first_popularity.h"
#include "stars/eval/protocols.h"
#include "stars/eval/ranking_metrics.h"
#include "stars/model/compute_threads.h"
#include "stars/model/model_dir.h"
#include "stars/model/stars_net.h"
#include "stars/model/warm_start.h"
#include "stars/train/adamw.h"
#include "stars/train/batch_builder.h"
#include "stars/train/batch_loader.h"
#include "stars/train/data_parallel.h"
#include "stars/train/lr_schedule.h"
#include "stars/train/losses.h"
#include "stars/train/negative_sampler.h"
#include "stars/train/step_profiler.h"
#include "stars/train/training_data.h"

namespace stars::train {

namespace {

using model::BatchTensors;
using model::NetOutputs;
using model::StarsNet;

// bf16 autocast on CUDA, for LibTorch 1.13 and 2.x.
void set_cuda_autocast(bool on) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_enabled(at::kCUDA, on);
  if (on) at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
  at::autocast::set_enabled(on);
  if (on) at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
  if (!on) at::autocast::clear_cache();
}

std::string resolve_device(const std::string& d) {
  if (d == "cpu") return d;
  const bool cuda = torch::cuda::is_available();
  if (d == "auto") return cuda ? "cuda" : "cpu";
  STARS_CHECK_ARG(cuda, "train.device=" << d << " but no CUDA device is available to this LibTorch build");
  return d;
}

std::map<std::string, double> metrics_map(const eval::RankMetrics& m) {
  std::map<std::string, double> out = m.to_map();
  for (int k : m.ks()) out["recall@" + std::to_string(k)] = m.hit(k);  // one target: Recall@K = Hit@K
  out["users"] = static_cast<double>(m.count());
  return out;
}

std::string metrics_json(const std::map<std::string, double>& m) {
  std::ostringstream o;
  o << std::setprecision(6) << "{";
  bool first = true;
  for (const auto& kv : m) {
    o << (first ? "" : ", ") << "\"" << kv.first << "\": " << kv.second;
    first = false;
  }
  o << "}";
  return o.str();
}

// Held-out queries the trainer ranks. Next-event protocols: the target event's item among the whole
// catalog. Session protocol (paper §6.1): q[i].target is the session's first event (its time and region
// are the request context), label[i] the session's first purchase, ranked among its products
// cands[cand_offsets[i], cand_offsets[i + 1]).
struct RankQueries {
  std::vector<EvalQuery> q;
  std::vector<int32_t> label;          // empty: the items of the target events, full catalog
  std::vector<uint32_t> cand_offsets;  // q.size() + 1 offsets when label is set
  std::vector<int32_t> cands;
  bool sessions() const { return !label.empty(); }
  size_t size() const { return q.size(); }
};

RankQueries next_event_queries(const std::vector<EvalQuery>& q) {
  RankQueries r;
  r.q = q;
  return r;
}

RankQueries session_queries(const data::Dataset& ds, const std::string& split) {
  eval::EvalConfig ec;
  ec.split = split;
  const eval::QuerySet qs = eval::build_queries(ds, eval::Protocol::kSession, ec);
  RankQueries r;
  r.cand_offsets.push_back(0);
  for (const eval::Query& x : qs.queries) {
    EvalQuery e;
    e.user = x.user;
    e.history_end = static_cast<int64_t>(x.hist_end);
    e.target = static_cast<int64_t>(x.hist_end);
    r.q.push_back(e);
    r.label.push_back(x.target);
    const auto c = qs.query_candidates(x);
    r.cands.insert(r.cands.end(), c.begin(), c.end());
    r.cand_offsets.push_back(static_cast<uint32_t>(r.cands.size()));
  }
  return r;
}

// The queries all[idx[0]], all[idx[1]], ...
RankQueries select_queries(const RankQueries& all, const std::vector<size_t>& idx) {
  RankQueries r;
  if (all.sessions()) r.cand_offsets.push_back(0);
  for (size_t i : idx) {
    r.q.push_back(all.q[i]);
    if (!all.sessions()) continue;
    r.label.push_back(all.label[i]);
    r.cands.insert(r.cands.end(), all.cands.begin() + all.cand_offsets[i], all.cands.begin() + all.cand_offsets[i + 1]);
    r.cand_offsets.push_back(static_cast<uint32_t>(r.cands.size()));
  }
  return r;
}

// A seeded sample of at most n queries (all when n is 0 or not smaller).
RankQueries sample_queries(const RankQueries& all, int n, uint64_t seed) {
  if (n <= 0 || all.size() <= static_cast<size_t>(n)) return all;
  std::vector<size_t> idx(all.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Rng rng(seed);
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) std::swap(idx[i], idx[i + rng.uniform(idx.size() - i)]);
  idx.resize(n);
  return select_queries(all, idx);
}

// Rank of each query's label by the user vector: among the whole catalog (without the user's history
// items under exclude_history), or among the session's products.
eval::RankMetrics evaluate(StarsNet& net, const BatchBuilder& builder, const data::Dataset& ds,
                           const RankQueries& queries, const TrainConfig& cfg) {
  eval::RankMetrics metrics;
  if (queries.size() == 0) return metrics;
  torch::NoGradGuard ng;
  net.set_training(false);
  const at::Tensor table = net.all_item_vectors().contiguous();  // (N, S)
  const bool cold_users = net.trains_cold_users(cfg.cold_user_weight);
  at::Tensor cold_prior = cold_users ? net.cold_user_prior() : at::Tensor();
  if (cold_prior.defined()) cold_prior = cold_prior.to(torch::kCPU).contiguous();
  const int64_t N = table.size(0);
  // Queries in order of history length, so each chunk pads only to its own longest history.
  const auto hist_len = [&](size_t i) {
    return queries.q[i].history_end - static_cast<int64_t>(ds.user_offsets()[queries.q[i].user]);
  };
  std::vector<size_t> order(queries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return hist_len(a) < hist_len(b); });
  const size_t chunk = 256;
  model::TokenBatch b;
  std::vector<EvalQuery> part;
  std::vector<float> cand_scores;
  for (size_t s0 = 0; s0 < order.size(); s0 += chunk) {
    const size_t n = std::min(chunk, order.size() - s0);
    part.clear();
    for (size_t r = 0; r < n; ++r) part.push_back(queries.q[order[s0 + r]]);
    builder.build_eval(part.data(), n, &b);
    const BatchTensors bt = net.make_tensors(b);
    const NetOutputs o = net.forward(bt, &table);
    // Queries without history (a session's first event) get the cold-user vector, as load_encoder gives it.
    std::vector<int64_t> no_events;
    if (cold_users)
      for (size_t r = 0; r < n; ++r)
        if (hist_len(order[s0 + r]) == 0) no_events.push_back(static_cast<int64_t>(r));
    const auto [h_gen, h_next] = final_user_vectors(o, no_events);
    at::Tensor h;
    if (cfg.eval_vector == "next") h = h_next;
    else if (cfg.eval_vector == "gen") h = h_gen;
    else h = h_next + h_gen;
    if (net.has_context_head())
      h = h + net.context_offset(bt.tgt_hour, bt.tgt_dow, bt.tgt_week, bt.tgt_region, bt.tgt_cal_ids, bt.tgt_cal_offsets);
    const at::Tensor scores = at::mm(h, table.t()).to(torch::kCPU, torch::kFloat32).contiguous();  // (n, N)
    float* sc = scores.data_ptr<float>();
    if (cold_prior.defined()) {  // cold users rank with the head's prior, as stars eval does
      const float* p = cold_prior.data_ptr<float>();
      for (int64_t r : no_events)
        for (int64_t i = 0; i < N; ++i) sc[r * N + i] += p[i];
    }
    for (size_t r = 0; r < n; ++r) {
      const size_t i = order[s0 + r];
      const EvalQuery& q = queries.q[i];
      float* row = sc + r * N;
      if (queries.sessions()) {
        const uint32_t c0 = queries.cand_offsets[i], c1 = queries.cand_offsets[i + 1];
        cand_scores.clear();
        int64_t at = -1;
        for (uint32_t c = c0; c < c1; ++c) {
          if (queries.cands[c] == queries.label[i]) at = static_cast<int64_t>(c - c0);
          cand_scores.push_back(row[queries.cands[c]]);
        }
        STARS_CHECK(at >= 0, "session of user " << q.user << ": its label is not among its products");
        metrics.add(eval::rank_of_target(cand_scores.data(), static_cast<int64_t>(cand_scores.size()), at));
        continue;
      }
      const int32_t target = ds.event_items()[q.target];
      if (cfg.exclude_history == "true") {
        const int64_t ub = static_cast<int64_t>(ds.user_offsets()[q.user]);
        for (int64_t e = ub; e < q.history_end; ++e) {
          const int32_t it = ds.event_items()[e];
          if (it != target) row[it] = -std::numeric_limits<float>::infinity();
        }
      }
      metrics.add(eval::rank_of_target(row, N, target));
    }
  }
  return metrics;
}

// evaluate() in data-parallel training: each rank ranks every world_size-th query from its rank on, and the
// ranks add up their metric sums, so that every rank gets the metrics of all queries. One process: evaluate().
eval::RankMetrics evaluate_parallel(StarsNet& net, const BatchBuilder& builder, const data::Dataset& ds,
                                    const RankQueries& queries, const TrainConfig& cfg, DataParallel& dp) {
  if (dp.world_size() == 1) return evaluate(net, builder, ds, queries, cfg);
  std::vector<size_t> idx;
  for (size_t i = static_cast<size_t>(dp.rank()); i < queries.size(); i += static_cast<size_t>(dp.world_size())) idx.push_back(i);
  const eval::RankMetrics part = evaluate(net, builder, ds, select_queries(queries, idx), cfg);
  return eval::RankMetrics::from_sums(part.ks(), dp.sum(part.sums()));
}

std::string fmt_rate(double v) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1);
  if (v >= 1e6) o << v / 1e6 << "M";
  else if (v >= 1e3) o << v / 1e3 << "k";
  else o << v;
  return o.str();
}

// What a resumed run may change: the profiling window only observes, and the threads and the data-parallel
// timeout do not change what is computed (a machine with other cores may continue the run).
bool resume_may_change(const std::string& key) {
  return key == "train.profile_steps" || key == "train.profile_after" || key == "train.threads" || key == "train.dist_timeout";
}

// The first configuration key (section.key, in order) whose value differs between the configuration a
// checkpoint was written with and this run's, both as JSON text, "" when none does, leaving out what a
// resume may change. A key on one side only (a checkpoint written before the key existed) counts with
// its default value.
std::string first_difference(const std::string& a_text, const std::string& b_text) {
  const nlohmann::json a = nlohmann::json::parse(a_text, nullptr, false), b = nlohmann::json::parse(b_text, nullptr, false);
  if (!a.is_object() || !b.is_object()) return a_text == b_text ? "" : "(unreadable configuration)";
  const nlohmann::json defaults = nlohmann::json::parse(config_to_json(StarsConfig{}).dump(-1));
  std::set<std::string> keys;
  for (const nlohmann::json* c : {&a, &b})
    for (const auto& [section, values] : c->items())
      for (const auto& [key, v] : values.items()) keys.insert(section + "." + key);
  const auto value = [&](const nlohmann::json& c, const std::string& key) {
    const nlohmann::json::json_pointer at("/" + key.substr(0, key.find('.')) + "/" + key.substr(key.find('.') + 1));
    return c.contains(at) ? c.at(at) : defaults.contains(at) ? defaults.at(at) : nlohmann::json();
  };
  for (const std::string& key : keys)
    if (!resume_may_change(key) && value(a, key) != value(b, key)) return key;
  return "";
}

// Whether two paths name the same existing directory.
bool same_directory(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

}  // namespace

bool cold_user_head_wins(const std::map<std::string, double>& head, const std::map<std::string, double>& prior_alone) {
  return head.at("mrr") > prior_alone.at("mrr");
}

TrainSummary run_training(const TrainRequest& req) {
  StarsConfig cfg = req.config;
  cfg.validate();
  const TrainConfig& tc = cfg.train;
  const std::string& out = req.out_dir;
  make_directories(out);

  const int threads = tc.threads > 0 ? tc.threads : default_num_threads();
  model::set_compute_threads(threads);
  std::string device = resolve_device(tc.device);
  // Data-parallel ranks on a machine with several GPUs: one each, round robin (untested on GPUs).
  if (device == "cuda" && tc.world_size > 1)
    device += ":" + std::to_string(static_cast<size_t>(req.rank) % std::max<size_t>(1, torch::cuda::device_count()));
  const bool cuda = device != "cpu";
  // Data-parallel ranks meet first, so that a missing one stops the run before any work.
  DataParallelOptions dpo;
  dpo.rank = req.rank;
  dpo.world_size = tc.world_size;
  dpo.store_file = req.dist_store_file;
  dpo.host = req.dist_host;
  dpo.port = req.dist_port;
  dpo.timeout_s = tc.dist_timeout;
  DataParallel dp(dpo);
  const bool primary = dp.primary();  // writes the model folder and the log

  auto ds = data::Dataset::open(req.data_dir);
  model::ItemContent content = model::load_item_content(*ds);
  model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  model::CalendarIndex calendar = model::calendar_from_dataset(*ds);

  StarsNet net(cfg.model, schema, content, tc.seed);
  cfg.model = net.config();  // resolved switches
  net.to_device(device);
  net.set_sparse_delta_grad(tc.sparse_delta);
  const int T = cfg.model.max_len;
  const bool full = tc.loss == "full";
  const bool text_model = cfg.model.use_text && cfg.model.use_delta;

  // Training windows and held-out queries; "auto" history exclusion resolved from the training events.
  TrainingData data(*ds, tc, T);
  if (tc.exclude_history == "auto") {
    const double rate = data.repeat_rate(*ds);
    const bool exclude = data::resolve_exclude_history("auto", rate, "train.exclude_history");
    STARS_INFO("repeat rate of training events " << rate << ": " << (exclude ? "excluding" : "ranking") << " history items (train.exclude_history=auto)");
    cfg.train.exclude_history = exclude ? "true" : "false";
  }
  // The cold-user head's prior: what the training users took first (add-one smoothed log shares), counted as
  // the first_popularity baseline counts it.
  if (net.trains_cold_users(tc.cold_user_weight) && tc.cold_user_prior) {
    std::vector<uint8_t> train_mask(static_cast<size_t>(ds->num_events()), 0);
    for (int64_t e : data.train_events()) train_mask[static_cast<size_t>(e)] = 1;
    std::vector<float> prior = eval::first_event_popularity(*ds, train_mask, 1);
    double total = 0;
    for (float& c : prior) total += (c += 1.0f);
    for (float& c : prior) c = static_cast<float>(std::log(c / total));
    net.set_cold_user_prior(prior);
  }
  // Training users whose first event the cold-user loss leaves out, to check the head against its prior.
  std::vector<uint8_t> cold_holdout;
  if (net.cold_user_prior().defined() && tc.cold_user_holdout > 0) {
    cold_holdout.assign(static_cast<size_t>(ds->num_users()), 0);
    Rng rng(derive_seed(tc.seed, 0xC01D));
    for (int32_t u = 0; u < ds->num_users(); ++u)
      if (data.user_begin(u) < data.user_begin(u + 1) && rng.bernoulli(tc.cold_user_holdout)) cold_holdout[static_cast<size_t>(u)] = 1;
  }

  model::ModelFiles files;
  files.config = cfg.model;
  files.schema = schema;
  files.content = content;
  files.calendar = calendar;
  files.train_config_json = config_to_json(tc).dump(2);
  files.item_ids = model::dataset_item_ids(*ds);
  files.vocab = model::dataset_vocab(*ds);
  // Warm start: the weights of a model trained on earlier data, matched by name (a resumed run has its own).
  if (!tc.init_from.empty() && !req.resume) {
    STARS_CHECK_ARG(!same_directory(tc.init_from, out),
                    "train.init_from=" << tc.init_from << " is the output folder --out " << out
                                       << ": train into another folder (the old model's files would be overwritten)");
    model::ModelFiles from;
    try {
      from = model::load_model_files(tc.init_from);
    } catch (const Error& e) {
      throw e.with_context("train.init_from=" + tc.init_from);
    }
    model::WarmStartReport report;
    net.load_state(model::warm_start_weights(net.state(), files, from, tc.init_from, &report));
    STARS_INFO(report.summary());
    if (!report.text_space.empty()) STARS_WARN("warm start: " << report.text_space);
  }
  // What a resumed run must share with its checkpoint (first_difference).
  const std::string config_text = config_to_json(cfg).dump(-1);

  STARS_INFO("stars train: " << ds->num_users() << " users, " << ds->num_items() << " items, " << ds->num_events()
                             << " events; item content: " << content.source << " (text dim " << content.text_dim << ", "
                             << content.num_tags() << " tags); " << net.num_parameters() << " parameters on " << device
                             << ", " << threads << " threads");

  std::vector<uint8_t> excluded;
  if (tc.exclude_cold_items) {
    excluded.resize(ds->num_items());
    for (int32_t i = 0; i < ds->num_items(); ++i) excluded[i] = ds->item_is_cold(i) ? 1 : 0;
  }
  std::unique_ptr<NegativeSampler> sampler;
  if (tc.negatives > 0 || (!full && tc.shared_negatives > 0))
    sampler = std::make_unique<NegativeSampler>(*ds, tc, data.item_train_counts(), excluded.empty() ? nullptr : &excluded);
  at::Tensor prior;
  if (tc.gamma > 0) {
    std::vector<float> b = popularity_prior(data.item_train_counts(), tc.gamma, tc.prior_alpha);
    prior = torch::from_blob(b.data(), {static_cast<int64_t>(b.size())}, torch::kFloat32).clone().to(device);
  }
  model::BatchFeaturizer featurizer(cfg.model, schema, &calendar);
  BatchBuilder builder(*ds, data, featurizer, sampler.get(), T, full, full ? 0 : tc.shared_negatives,
                       tc.exclude_history == "true", tc.logq_correction);
  // The full softmax's history mask lists one pair per target and earlier item: refuse batches that would
  // need gigabytes for it (long histories with train.exclude_history=true) before training starts.
  const int64_t max_pairs = builder.max_history_pairs(tc.batch_size);
  STARS_CHECK_ARG(max_pairs <= tc.max_history_pairs,
                  "train.exclude_history with train.loss=full: a batch of the " << tc.batch_size << " windows with the longest "
                  "histories could list up to " << max_pairs << " (target, earlier item) pairs, "
                  << (max_pairs * 16 >> 20) << " MiB, for the softmax's mask, above train.max_history_pairs="
                  << tc.max_history_pairs << "; set train.exclude_history=false, lower train.batch_size, use "
                  "train.loss=sampled (which masks its candidates only), or raise train.max_history_pairs");
  if (!cold_holdout.empty()) builder.set_cold_user_holdout(&cold_holdout);
  std::vector<uint32_t> lengths;
  for (const Window& w : data.windows()) lengths.push_back(w.end - w.begin);
  BatchLoader loader(builder, std::move(lengths), ds->num_items(), tc.batch_size, tc.bucket_batches, tc.loader_threads,
                     tc.prefetch, tc.seed, dp.rank(), dp.world_size());

  // Validation queries (all, or a seeded sample) of the protocol training selects on.
  const bool by_session = tc.valid_protocol == "session";
  const RankQueries valid_all = by_session ? session_queries(*ds, "valid") : next_event_queries(data.valid());
  const RankQueries valid = sample_queries(valid_all, tc.valid_max_users, derive_seed(tc.seed, 99));

  AdamW opt(net.param_groups(), tc.beta1, tc.beta2, tc.adam_eps);
  for (auto& g : opt.groups()) {
    if (g.name == "dense" || g.name == "cold_user") g.weight_decay = tc.weight_decay;
    if (g.name == "embedding" || g.name == "delta") g.weight_decay = tc.embedding_weight_decay;
    if (g.name == "delta" && text_model) g.lr_scale = tc.delta_lr_scale;
  }

  // Every parameter, in the optimizer's order: what data-parallel ranks reduce and compare.
  std::vector<at::Tensor> params;
  std::vector<std::string> param_names;
  for (const model::ParamGroup& g : net.param_groups()) {
    params.insert(params.end(), g.params.begin(), g.params.end());
    param_names.insert(param_names.end(), g.names.begin(), g.names.end());
  }
  std::vector<size_t> row_sparse;  // Δ, when its gradient may be sparse
  at::Tensor delta_param;
  for (size_t i = 0; i < param_names.size(); ++i)
    if (param_names[i] == "delta.weight") {
      delta_param = params[i];
      if (tc.sparse_delta) row_sparse.push_back(i);
    }

  const int64_t steps_per_epoch = static_cast<int64_t>((data.windows().size() + tc.batch_size - 1) / tc.batch_size);
  int64_t total_steps = steps_per_epoch * tc.epochs;
  if (tc.max_steps > 0) total_steps = std::min(total_steps, tc.max_steps);

  TrainSummary summary;
  int start_epoch = 0, bad_epochs = 0;
  int64_t step = 0;
  double best = -1.0;
  const std::string log_path = path_join(out, "train_log.jsonl");
  if (req.resume) {
    const std::string cp = model::model_checkpoint_path(out);
    if (!file_exists(cp)) STARS_THROW(kNotFound, cp << ": no checkpoint to resume from");
    model::check_model_items(out, *ds);
    model::NamedArrays ck = model::read_named_arrays(cp, "checkpoint");
    const std::string differs = first_difference(ck.meta["config"], config_text);
    STARS_CHECK_ARG(differs.empty(), cp << ": the checkpoint was written with another configuration (first difference: " << differs
                                         << "); resume with the same --preset/--config/--set, --ablate and --nproc");
    model::NamedArrays w;
    for (auto& a : ck.arrays)
      if (a.name.rfind("w.", 0) == 0) w.arrays.push_back({a.name.substr(2), a.shape, a.data});
    net.load_state(w);
    opt.load(ck);
    start_epoch = std::stoi(ck.meta["epoch"]);
    step = std::stoll(ck.meta["step"]);
    best = std::stod(ck.meta["best"]);
    summary.best_epoch = std::stoi(ck.meta["best_epoch"]);
    bad_epochs = std::stoi(ck.meta["bad_epochs"]);
    summary.stop_reason = ck.meta["stop"];
    STARS_INFO("resuming " << out << " after epoch " << start_epoch << " (step " << step << ")");
  } else if (primary) {
    save_model_description(out, files);
    write_text_file(log_path, "");
  }
  summary.best_valid_ndcg10 = std::max(0.0, best);

  double train_seconds = 0.0;
  int64_t train_tokens = 0;
  const bool autocast = cuda && tc.bf16;
  StepProfiler profiler(out, tc.profile_after, primary ? tc.profile_steps : 0, cuda);
  const bool show_progress = tc.progress && primary;
  const bool parallel = dp.world_size() > 1;
  dp.check_same(params, param_names, "at the start (after initialisation, warm start or resume)");
  const int64_t run_start = step;  // the profiler counts this run's steps: a resumed run from its own start
  int epoch = start_epoch;
  bool stop = !summary.stop_reason.empty();
  int epochs_this_run = 0;
  for (; epoch < tc.epochs && !stop; ++epoch) {
    if (req.stop_after_epochs > 0 && epochs_this_run == req.stop_after_epochs) {
      summary.stop_reason = "paused";
      break;
    }
    ++epochs_this_run;
    const bool delta_frozen = text_model && epoch < tc.delta_freeze_epochs;
    opt.set_frozen("delta", delta_frozen);
    net.set_training(true);
    const int64_t nb = loader.start_epoch(epoch);
    std::optional<Progress> bar;
    if (show_progress) bar.emplace("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(tc.epochs), static_cast<uint64_t>(nb), "batch");
    Timer timer;
    double loss_sum = 0.0, loss_main_sum = 0.0;
    int64_t n_loss = 0, epoch_tokens = 0, delta_sparse_steps = 0;
    at::Tensor loss_acc, main_acc;
    int64_t acc_n = 0;
    auto drain = [&]() {
      if (acc_n == 0) return;
      loss_sum += loss_acc.item<double>();
      loss_main_sum += main_acc.item<double>();
      n_loss += acc_n;
      acc_n = 0;
      loss_acc = at::Tensor();
      main_acc = at::Tensor();
    };
    int64_t b = 0;
    // Throughput after the epoch's first 10 steps (warm-up: kernel selection, allocator growth); the loss
    // drain at step 10 waits for the device, so the clock reading there is exact.
    double t_warm = -1.0;
    int64_t tokens_warm = 0;
    // Wall time per phase (host side; on CUDA the kernels run asynchronously, so only the total is exact).
    double t_wait = 0, t_tensors = 0, t_forward = 0, t_backward = 0, t_reduce = 0, t_optim = 0;
    Timer phase;
    while (auto batch = loader.next()) {
      profiler.before_step(step - run_start);
      t_wait += phase.seconds();
      phase.reset();
      // Dropout masks: each rank its own (rank 0 those of a single process).
      const uint64_t rank_mix = dp.rank() > 0 ? static_cast<uint64_t>(dp.rank()) << 40 : 0;
      torch::manual_seed(derive_seed(tc.seed, (0x5eed0000ull + static_cast<uint64_t>(step)) ^ rank_mix));  // dropout (CUDA)
      net.set_dropout_seed(derive_seed(tc.seed, (0xd509000ull + static_cast<uint64_t>(step)) ^ rank_mix));  // dropout (CPU)
      Losses L;
      LossShares shares;
      int64_t step_targets = batch->n_targets;
      if (parallel) {  // the batch's targets of each kind, and this rank's shares of them
        const auto count = [](const std::vector<int64_t>& v) {
          return static_cast<double>(std::count_if(v.begin(), v.end(), [](int64_t x) { return x >= 0; }));
        };
        const std::vector<double> mine = {static_cast<double>(batch->n_targets), count(batch->row_last_target),
                                          count(batch->row_first_target)};
        const std::vector<double> all = dp.sum(mine);
        shares.targets = all[0] > 0 ? mine[0] / all[0] : 0.0;
        shares.final_targets = all[1] > 0 ? mine[1] / all[1] : 0.0;
        shares.first_targets = all[2] > 0 ? mine[2] / all[2] : 0.0;
        step_targets = static_cast<int64_t>(all[0]);
        t_reduce += phase.seconds();
        phase.reset();
      }
      // A data-parallel rank's share of a batch smaller than world_size can be empty: it then only reduces.
      if (!parallel || batch->n_targets > 0) {
        const BatchTensors bt = net.make_tensors(*batch);
        t_tensors += phase.seconds();
        phase.reset();
        // A sparsely updated Δ: the rows this forward pass reads first take the steps they missed.
        if (!row_sparse.empty() && delta_param.requires_grad()) {
          if (net.reads_all_items(*batch)) opt.flush_sparse();
          else {
            opt.catch_up(delta_param, batch->uniq);
            opt.declare_grad_rows(delta_param, batch->uniq);  // the gather by uniq (ascending) lists these rows
          }
        }
        if (autocast) set_cuda_autocast(true);
        const NetOutputs o = net.forward(bt);
        L = compute_losses(net, bt, o, prior, tc, full, shares);
        if (autocast) set_cuda_autocast(false);
        t_forward += phase.seconds();
        phase.reset();
        L.total.backward();
        t_backward += phase.seconds();
        phase.reset();
      }
      at::Tensor lt, lm;  // the batch's mean losses
      if (parallel) {
        at::Tensor main_part;
        if (L.main.defined()) main_part = L.main.detach() * shares.targets;
        const std::vector<at::Tensor> sums = dp.sum_gradients(params, {L.total, main_part}, row_sparse);
        lt = sums[0];
        lm = sums[1];
        t_reduce += phase.seconds();
        phase.reset();
      } else {
        lt = L.total.detach();
        lm = L.main.detach();
      }
      if (delta_param.defined() && delta_param.grad().defined() && delta_param.grad().is_sparse()) ++delta_sparse_steps;
      opt.clip_per_group(tc.clip_norm);
      opt.step(learning_rate(tc, step, total_steps));
      opt.zero_grad();
      t_optim += phase.seconds();
      {
        torch::NoGradGuard ng;
        loss_acc = loss_acc.defined() ? loss_acc + lt : lt;
        main_acc = main_acc.defined() ? main_acc + lm : lm;
      }
      ++acc_n;
      epoch_tokens += step_targets;
      profiler.after_step(step - run_start, batch->n_targets);
      ++step;
      ++b;
      if (b % 10 == 0 || b == nb) {
        drain();
        if (b == 10) {
          t_warm = timer.seconds();
          tokens_warm = epoch_tokens;
        }
        const double sec = timer.seconds();
        std::ostringstream extra;
        extra << "loss " << std::fixed << std::setprecision(4) << loss_sum / std::max<int64_t>(1, n_loss) << " | "
              << fmt_rate(epoch_tokens / std::max(1e-9, sec)) << " tok/s";
        if (bar) bar->update(static_cast<uint64_t>(b), extra.str());
      }
      if (tc.max_steps > 0 && step >= tc.max_steps) {
        stop = true;
        summary.stop_reason = "max_steps";
        break;
      }
      phase.reset();
    }
    drain();
    opt.flush_sparse();  // every row of a sparsely updated Δ as dense AdamW leaves it, before validation and saving
    profiler.finish();
    const double sec = timer.seconds();
    if (bar) bar->finish();
    train_seconds += sec;
    train_tokens += epoch_tokens;

    // Validation, best weights, checkpoint, log (data-parallel ranks: each validates a share, rank 0 writes).
    dp.check_same(params, param_names, "after epoch " + std::to_string(epoch + 1));
    std::map<std::string, double> vm;
    double vsec = 0.0;
    const bool validate_now = (epoch + 1) % tc.eval_every == 0 || epoch + 1 == tc.epochs || stop;
    bool improved = false;
    if (validate_now && valid.size() > 0) {
      Timer vt;
      vm = metrics_map(evaluate_parallel(net, builder, *ds, valid, tc, dp));
      vsec = vt.seconds();
      const double ndcg = vm["ndcg@10"];
      if (ndcg > best) {
        best = ndcg;
        summary.best_epoch = epoch + 1;
        bad_epochs = 0;
        improved = true;
        if (primary) model::save_model_weights(out, net.state());
      } else {
        bad_epochs += tc.eval_every;
      }
      if (bad_epochs >= tc.patience && !stop) {
        stop = true;
        summary.stop_reason = "early_stop";
      }
    } else if (valid.size() == 0) {
      improved = true;
      if (primary) model::save_model_weights(out, net.state());  // nothing to validate on: keep the latest
      summary.best_epoch = epoch + 1;
    }
    if (epoch + 1 == tc.epochs && summary.stop_reason.empty()) summary.stop_reason = "epochs";
    if (primary) {
      model::NamedArrays ck = net.state();
      for (auto& a : ck.arrays) a.name = "w." + a.name;
      opt.save(&ck);
      ck.meta["config"] = config_text;
      ck.meta["epoch"] = std::to_string(epoch + 1);
      ck.meta["step"] = std::to_string(step);
      std::ostringstream bs;
      bs << std::setprecision(17) << best;
      ck.meta["best"] = bs.str();
      ck.meta["best_epoch"] = std::to_string(summary.best_epoch);
      ck.meta["bad_epochs"] = std::to_string(bad_epochs);
      ck.meta["stop"] = stop || epoch + 1 == tc.epochs ? summary.stop_reason : "";
      model::write_named_arrays(model::model_checkpoint_path(out), "checkpoint", ck);
    }
    const double tps = epoch_tokens / std::max(1e-9, sec);
    std::string steady_tps = "null";  // with more than 10 steps in the epoch
    if (t_warm >= 0 && epoch_tokens > tokens_warm) {
      std::ostringstream o;
      o << std::setprecision(6) << (epoch_tokens - tokens_warm) / std::max(1e-9, sec - t_warm);
      steady_tps = o.str();
    }
    std::ostringstream line;
    line << std::setprecision(6) << "{\"epoch\": " << epoch + 1 << ", \"step\": " << step
         << ", \"lr\": " << learning_rate(tc, std::max<int64_t>(0, step - 1), total_steps)
         << ", \"loss\": " << loss_sum / std::max<int64_t>(1, n_loss)
         << ", \"loss_main\": " << loss_main_sum / std::max<int64_t>(1, n_loss) << ", \"tokens\": " << epoch_tokens
         << ", \"train_seconds\": " << sec << ", \"tokens_per_second\": " << tps
         << ", \"steady_tokens_per_second\": " << steady_tps
         << ", \"phase_seconds\": {\"wait_batch\": " << t_wait << ", \"to_tensors\": " << t_tensors
         << ", \"forward_loss\": " << t_forward << ", \"backward\": " << t_backward << (parallel ? ", \"all_reduce\": " : "")
         << (parallel ? std::to_string(t_reduce) : "") << ", \"optimizer\": " << t_optim
         << "}, \"delta_frozen\": " << (delta_frozen ? "true" : "false") << ", \"delta_sparse_steps\": " << delta_sparse_steps
         << ", \"valid_seconds\": " << vsec
         << ", \"valid\": " << metrics_json(vm) << ", \"improved\": " << (improved ? "true" : "false")
         << ", \"best_epoch\": " << summary.best_epoch << "}\n";
    if (primary) {
      std::ofstream f(log_path, std::ios::app);
      f << line.str();
    }
    STARS_INFO("epoch " << epoch + 1 << ": loss " << std::fixed << std::setprecision(4) << loss_sum / std::max<int64_t>(1, n_loss)
                        << ", " << fmt_rate(tps) << " tok/s" << (vm.empty() ? "" : ", valid NDCG@10 ")
                        << (vm.empty() ? std::string() : std::to_string(vm["ndcg@10"]))
                        << (vm.empty() ? "" : " HR@10 ") << (vm.empty() ? std::string() : std::to_string(vm["hit@10"]))
                        << (improved ? " *" : ""));
  }
  profiler.end_of_run(step - run_start);
  summary.epochs_run = epoch;
  summary.steps = step;
  summary.best_valid_ndcg10 = std::max(0.0, best);
  summary.tokens_per_second = train_tokens / std::max(1e-9, train_seconds);

  if (summary.stop_reason == "paused") {
    STARS_INFO("paused after epoch " << epoch << "; continue with --resume");
    return summary;
  }
  if (!primary) return summary;  // rank 0 alone computes and writes the final metrics
  // Test (and validation) metrics of the best weights, on every user.
  net.load_state(model::read_named_arrays(model::model_weights_path(out), "model_weights"));
  // The cold-user check: the held-out users' first events, ranked from their features alone by the head
  // (vector + prior) and by the prior alone (the head zeroed); the head stays only if it ranks better
  // (cold_user_head_wins: MRR; NDCG@10 chose wrongly in one run of four, docs/MODEL.md "Cold users").
  std::string cold_check = "null";
  if (!cold_holdout.empty()) {
    RankQueries held;
    for (int32_t u = 0; u < ds->num_users(); ++u)
      if (cold_holdout[static_cast<size_t>(u)])
        held.q.push_back({u, static_cast<int64_t>(ds->user_offsets()[u]), data.train_events()[data.user_begin(u)]});
    if (held.size() > 0) {
      const auto head = evaluate(net, builder, *ds, held, tc).to_map();
      const model::NamedArrays trained = net.state();
      net.zero_cold_user_head();
      const auto prior_only = evaluate(net, builder, *ds, held, tc).to_map();
      const bool keep = cold_user_head_wins(head, prior_only);
      if (keep) net.load_state(trained);
      else model::save_model_weights(out, net.state());
      STARS_INFO("cold-user head on " << held.size() << " held-out users' first events: MRR " << head.at("mrr")
                                      << " (NDCG@10 " << head.at("ndcg@10") << "), prior alone " << prior_only.at("mrr")
                                      << " (" << prior_only.at("ndcg@10") << "): " << (keep ? "kept" : "zeroed (cold users get the prior)"));
      std::ostringstream cj;
      cj << std::setprecision(6) << "{\"users\": " << held.size() << ", \"head_mrr\": " << head.at("mrr")
         << ", \"prior_mrr\": " << prior_only.at("mrr") << ", \"head_ndcg10\": " << head.at("ndcg@10")
         << ", \"prior_ndcg10\": " << prior_only.at("ndcg@10") << ", \"head_kept\": " << (keep ? "true" : "false") << "}";
      cold_check = cj.str();
    }
  }
  summary.valid = metrics_map(evaluate(net, builder, *ds, valid_all, tc));
  summary.test = metrics_map(evaluate(net, builder, *ds, by_session ? session_queries(*ds, "test") : next_event_queries(data.test()), tc));
  std::ostringstream mj;
  mj << std::setprecision(6) << "{\n  \"protocol\": \""
     << (by_session ? "session" : tc.split == "loo" ? "leave_one_out" : "temporal") << "\",\n  \"ranking\": \""
     << (by_session ? "session_products" : "full_catalog") << "\",\n  \"exclude_history\": " << tc.exclude_history
     << ",\n  \"user_vector\": \"" << tc.eval_vector << "\",\n  \"dataset\": \"" << json_escape(req.data_dir)
     << "\",\n  \"best_epoch\": " << summary.best_epoch << ",\n  \"epochs_run\": " << summary.epochs_run
     << ",\n  \"stop_reason\": \"" << summary.stop_reason << "\",\n  \"train_tokens_per_second\": " << summary.tokens_per_second
     << ",\n  \"cold_user_check\": " << cold_check << ",\n  \"valid\": " << metrics_json(summary.valid)
     << ",\n  \"test\": " << metrics_json(summary.test) << "\n}\n";
  write_text_file(path_join(out, "metrics.json"), mj.str());
  STARS_INFO("best epoch " << summary.best_epoch << ": test NDCG@10 " << summary.test["ndcg@10"] << " Recall@10 "
                           << summary.test["recall@10"] << " (" << summary.test["users"] << (by_session ? " sessions)" : " users)"));
  return summary;
}

}  // namespace stars::train
