// Dumps what the PyTorch eager reference (bench/train/reference_train.py) needs to train exactly the model
// `stars train` trains, on exactly its batches: the resolved configuration, the initial weights, the item
// content (text vectors, tag matrix) and the first N training batches, as .npy files and JSON.
//
//   bench_train_dump --data DS --out DIR --steps N [--preset P] [--set key=value ...]
//
// The batches come from the same torch-free BatchLoader (length bucketing, negatives, shared negatives)
// that `stars train` uses with the same seed, so both sides compute on identical inputs.
#include <torch/torch.h>

#include <cstdio>
#include <fstream>

#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/npy.h"
#include "stars/data/dataset.h"
#include "stars/data/history_stats.h"
#include "stars/model/stars_net.h"
#include "stars/train/batch_builder.h"
#include "stars/train/batch_loader.h"
#include "stars/train/negative_sampler.h"
#include "stars/train/train_config.h"
#include "stars/train/training_data.h"

namespace {

using namespace stars;

void write_i64(const std::string& path, const std::vector<int64_t>& v) {
  std::vector<int32_t> w(v.begin(), v.end());
  write_npy_i32(path, w.data(), w.size());
}

int run(int argc, char** argv) {
  std::string data, out, preset = "cpu";
  std::vector<std::string> sets;
  int steps = 50;
  ArgParser p("bench_train_dump", "dump config, initial weights and batches for the PyTorch reference");
  p.add("data", &data, "prepared dataset", true);
  p.add("out", &out, "output folder", true);
  p.add("preset", &preset, "configuration preset");
  p.add_multi("set", &sets, "configuration override key=value");
  p.add("steps", &steps, "batches to dump");
  if (!p.parse(argc, argv, 1)) return 0;
  train::StarsConfig cfg = train::stars_preset(preset);
  for (const auto& s : sets) config_apply_set(cfg, s);
  cfg.validate();
  train::TrainConfig& tc = cfg.train;
  make_directories(out);

  auto ds = data::Dataset::open(data);
  model::ItemContent content = model::load_item_content(*ds);
  model::FeatureSchema schema = model::build_feature_schema(*ds, content);
  model::CalendarIndex calendar = model::calendar_from_dataset(*ds);
  STARS_CHECK_ARG(schema.num_context() == 0 && (schema.num_calendar_events == 0 || !cfg.model.use_context),
                  "the reference script does not implement event context columns or calendars");
  model::StarsNet net(cfg.model, schema, content, tc.seed);
  cfg.model = net.config();
  const bool full = tc.loss == "full";

  // Configuration, schema and initial weights.
  {
    JsonObject j = config_to_json(cfg);
    j.set_object("schema", JsonObject::parse(schema.to_json(), "schema"));
    j.set("tag_slots", net.tag_slots());
    j.set("serving_dim", net.serving_dim());
    j.set("num_parameters", static_cast<int64_t>(net.num_parameters()));
    std::vector<std::string> names, groups;
    for (const auto& g : net.param_groups())
      for (const auto& n : g.names) {
        names.push_back(n);
        groups.push_back(g.name);
      }
    j.set("param_names", names);
    j.set("param_groups", groups);
    write_text_file(path_join(out, "config.json"), j.dump(2));
    make_directories(path_join(out, "weights"));
    for (const auto& a : net.state().arrays) {
      const uint64_t rows = a.shape.empty() ? 1 : static_cast<uint64_t>(a.shape[0]);
      write_npy_f32(path_join(out, "weights/" + a.name + ".npy"), a.data.data(), rows, a.data.size() / std::max<uint64_t>(rows, 1));
    }
  }
  if (content.text_dim > 0) write_npy_f32(path_join(out, "text.npy"), content.text.data(), content.num_items, content.text_dim);
  {
    // Tag matrix padded with num_tags, as the network builds it.
    const int slots = net.tag_slots();
    std::vector<int32_t> m(static_cast<size_t>(content.num_items) * std::max(slots, 1), schema.num_tags);
    for (int32_t i = 0; i < content.num_items; ++i) {
      auto t = content.tags_of(i);
      for (size_t k = 0; k < t.size() && static_cast<int>(k) < slots; ++k) m[static_cast<size_t>(i) * slots + k] = t[k];
    }
    if (slots > 0) write_npy_i32(path_join(out, "tag_matrix.npy"), m.data(), m.size());
  }

  // The first `steps` batches of epoch 0, as stars train builds them: history exclusion resolved the same
  // way (auto: by the repeat rate of the training events), the logQ columns of the sampled loss.
  train::TrainingData td(*ds, tc, cfg.model.max_len);
  if (tc.exclude_history == "auto")
    tc.exclude_history = data::resolve_exclude_history("auto", td.repeat_rate(*ds), "train.exclude_history") ? "true" : "false";
  std::unique_ptr<train::NegativeSampler> sampler;
  if (tc.negatives > 0 || (!full && tc.shared_negatives > 0))
    sampler = std::make_unique<train::NegativeSampler>(*ds, tc, td.item_train_counts());
  model::BatchFeaturizer featurizer(cfg.model, schema, &calendar);
  train::BatchBuilder builder(*ds, td, featurizer, sampler.get(), cfg.model.max_len, full, full ? 0 : tc.shared_negatives,
                              tc.exclude_history == "true", tc.logq_correction);
  std::vector<uint32_t> lengths;
  for (const auto& w : td.windows()) lengths.push_back(w.end - w.begin);
  train::BatchLoader loader(builder, lengths, ds->num_items(), tc.batch_size, tc.bucket_batches, 1, 2, tc.seed);
  loader.start_epoch(0);
  int64_t tokens = 0;
  int n = 0;
  for (; n < steps; ++n) {
    auto b = loader.next();
    if (!b) break;
    const std::string d = path_join(out, "batch_" + std::to_string(n));
    make_directories(d);
    write_text_file(path_join(d, "shape.json"), "{\"B\": " + std::to_string(b->B) + ", \"T\": " + std::to_string(b->T) +
                                                   ", \"n_targets\": " + std::to_string(b->n_targets) +
                                                   ", \"n_cands\": " + std::to_string(b->n_cands) + "}");
    write_i64(path_join(d, "item_local.npy"), b->item_local);
    std::vector<int64_t> valid(b->valid.begin(), b->valid.end());
    write_i64(path_join(d, "valid.npy"), valid);
    for (const auto& kv : std::vector<std::pair<const char*, const std::vector<int64_t>*>>{
             {"type", &b->type}, {"hour", &b->hour}, {"dow", &b->dow}, {"week", &b->week}, {"region", &b->region},
             {"recency", &b->recency}, {"user_cat", &b->user_cat}, {"uniq", &b->uniq}, {"tgt_slot", &b->tgt_slot},
             {"tgt_item", &b->tgt_item}, {"cands", &b->cands}, {"shared", &b->shared}, {"shared_item", &b->shared_item},
             {"tgt_hour", &b->tgt_hour}, {"tgt_dow", &b->tgt_dow}, {"tgt_week", &b->tgt_week},
             {"tgt_region", &b->tgt_region}, {"row_last_target", &b->row_last_target}, {"hist_tgt", &b->hist_tgt},
             {"hist_item", &b->hist_item}, {"hist_cand", &b->hist_cand}, {"hist_shared", &b->hist_shared},
             {"pair_logq_tgt", &b->pair_logq_tgt}, {"pair_logq_col", &b->pair_logq_col}})
      write_i64(path_join(d, std::string(kv.first) + ".npy"), *kv.second);
    for (const auto& kv : std::vector<std::pair<const char*, const std::vector<float>*>>{
             {"cand_logq", &b->cand_logq}, {"tgt_shared_logq", &b->tgt_shared_logq}, {"shared_logq", &b->shared_logq},
             {"pair_logq", &b->pair_logq}})
      write_npy_f32(path_join(d, std::string(kv.first) + ".npy"), kv.second->data(), kv.second->size(), 1);
    write_npy_f32(path_join(d, "user_num.npy"), b->user_num.data(), b->user_num.size(), 1);
    tokens += b->n_targets;
  }
  std::printf("dumped %d batches (%lld targets), %lld parameters, to %s\n", n, static_cast<long long>(tokens),
              static_cast<long long>(net.num_parameters()), out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const stars::Error& e) {
    std::fprintf(stderr, "bench_train_dump: %s\n", e.what());
    return 1;
  }
}
