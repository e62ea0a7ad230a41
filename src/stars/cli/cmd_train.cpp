// `stars train`: trains the STARS model on a prepared dataset (paper §4) and writes a model directory
// (config.json, features.tbl, weights.tbl, checkpoint.tbl, train_log.jsonl, metrics.json).
#include <cstdio>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/train/train_config.h"
#include "stars/train/trainer.h"

namespace stars::cli {

int run_train(int argc, char** argv) {
  std::string data, out, preset = "cpu", config_file, device, init_from;
  std::vector<std::string> sets, ablations;
  bool resume = false, quiet = false, print_config = false;
  int epochs = 0, threads = 0, stop_after = 0;
  ArgParser p("train", "train the STARS transformer on a prepared dataset");
  p.add("data", &data, "prepared dataset directory (enriched with stars enrich for text and tags)", true);
  p.add("out", &out, "model directory to write", true);
  p.add("preset", &preset, "starting configuration: cpu (default), paper (GPU sizes), sasrec (ID-only baseline), tiny");
  p.add("config", &config_file, "JSON file {\"model\": {...}, \"train\": {...}} applied over the preset");
  p.add_multi("set", &sets, "override one key, e.g. --set train.lr=0.002 --set model.d_model=128");
  p.add_multi("ablate", &ablations, "switch a mechanism off, after --config and --set: " + join(train::ablation_names(), ", "));
  p.add("epochs", &epochs, "shortcut for --set train.epochs=N");
  p.add("threads", &threads, "shortcut for --set train.threads=N (torch intra-op threads)");
  p.add("device", &device, "shortcut for --set train.device=cpu|cuda|auto");
  p.add("init-from", &init_from, "shortcut for --set train.init_from=DIR: warm start from a model trained on earlier data");
  p.add("stop-after-epochs", &stop_after, "end this invocation after N epochs (continue later with --resume)");
  p.add_flag("resume", &resume, "continue the run in --out from its last checkpoint (same configuration)");
  p.add_flag("print-config", &print_config, "print the resolved configuration and exit");
  p.add_flag("quiet", &quiet, "no progress bar or per-epoch lines");
  p.set_epilog("Configuration keys (defaults of the cpu preset):\n" + config_help(train::stars_preset("cpu")));
  if (!p.parse(argc, argv)) return 0;

  train::StarsConfig cfg = train::stars_preset(preset);
  if (!config_file.empty()) {
    try {
      config_from_json(JsonObject::parse(read_text_file(config_file), config_file), cfg, config_file);
    } catch (const Error& e) {
      throw e.with_context("reading --config " + config_file);
    }
  }
  for (const auto& s : sets) config_apply_set(cfg, s);
  // Ablations last, so that a --set of the same key (train.subclass_negatives=4) cannot undo one.
  for (const auto& a : ablations) train::apply_ablation(&cfg, a);
  if (epochs > 0) cfg.train.epochs = epochs;
  if (threads > 0) cfg.train.threads = threads;
  if (!device.empty()) cfg.train.device = device;
  if (!init_from.empty()) cfg.train.init_from = init_from;
  for (const auto& a : ablations) {
    // Under the full softmax the negative sources only reach the logistic loss (eq. 5) and the slice
    // softmax, and logQ nothing.
    const bool sources = a == "uniform-negatives" || a == "no-page-negatives" || a == "no-hard-negatives";
    const bool slice_losses = cfg.train.logistic_weight > 0 || cfg.train.slice_weight > 0;
    if (cfg.train.loss == "full" && (a == "no-logq" || (sources && !slice_losses)))
      STARS_WARN("--ablate " << a << " changes nothing with train.loss=full"
                 << (sources ? " and train.logistic_weight=train.slice_weight=0 (no sampled negatives)" : "")
                 << "; add --set train.loss=sampled to compare negative sources");
  }
  if (quiet) {
    cfg.train.progress = false;
    set_log_level(LogLevel::kWarn);
  }
  cfg.validate();
  if (print_config) {
    std::printf("%s\n", config_to_json(cfg).dump(2).c_str());
    return 0;
  }
  train::TrainRequest req;
  req.data_dir = data;
  req.out_dir = out;
  req.config = cfg;
  req.resume = resume;
  req.stop_after_epochs = stop_after;
  const train::TrainSummary s = train::run_training(req);
  if (s.stop_reason == "paused") {
    std::printf("paused after epoch %d; continue with --resume\n", s.epochs_run);
    return 0;
  }
  std::printf("best epoch %d of %d (%s): valid NDCG@10 %.4f; test NDCG@10 %.4f Recall@10 %.4f; %.0f tokens/s\n",
              s.best_epoch, s.epochs_run, s.stop_reason.c_str(), s.best_valid_ndcg10, s.test.count("ndcg@10") ? s.test.at("ndcg@10") : 0.0,
              s.test.count("recall@10") ? s.test.at("recall@10") : 0.0, s.tokens_per_second);
  return 0;
}

}  // namespace stars::cli
