// `stars export --data DS --model MODEL --out SNAP`: batch inference over every user and item of a prepared
// dataset with the trained model, written as a versioned serving snapshot (see serve/snapshot_data.h and
// docs/SERVING.md). The model directory (encoder and context head) and the fitted text embedder
// (DS/semantics) are copied in, so the service needs nothing else.
#include <cstdio>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/data/dataset.h"
#include "stars/model/encoder.h"
#include "stars/model/model_dir.h"
#include "stars/semantics/semantic_encoder.h"
#include "stars/serve/blas_threads.h"
#include "stars/serve/snapshot_export.h"
#include "stars/serve/snapshot_writer.h"

namespace stars::cli {

namespace {
// Whether the model was trained never to rank a user's earlier items (train.exclude_history resolved to
// "true" in the model's config.json at `path`); models without the setting did rank them.
bool model_excludes_history(const std::string& path) {
  if (path.empty() || !file_exists(path)) return false;
  const JsonObject root = JsonObject::parse(read_text_file(path), path);
  if (!root.has("train")) return false;
  JsonObject train;
  root.get_object("train", train, path);
  if (!train.has("exclude_history")) return false;
  std::string v;
  train.get("exclude_history", v, path + ": train");
  return v == "true";
}
}  // namespace

int run_export(int argc, char** argv) {
  std::string data_dir, model_dir, out, semantics_dir, config_file;
  std::vector<std::string> sets;
  bool force = false;
  serve::ExportConfig cfg;
  ArgParser p("export", "write a serving snapshot: user vectors (h_gen, h_next), item vectors and metadata, model");
  p.add("data", &data_dir, "prepared dataset directory (stars prepare --out)", true);
  p.add("model", &model_dir, "trained model directory (stars train --out)", true);
  p.add("out", &out, "snapshot directory to create (written to OUT.tmp.<pid>, renamed when complete)", true);
  p.add("threads", &cfg.threads, "encoding threads, 0 = all cores");
  p.add("batch-size", &cfg.batch_size, "users per encoder call");
  p.add("history-len", &cfg.history_len, "most recent events per user kept for encoding and live sessions");
  p.add("semantics", &semantics_dir, "text embedder directory copied for new items (default: DATA/semantics when present)");
  p.add("config", &config_file, "JSON file with export settings (see --set keys below)");
  p.add_multi("set", &sets, "override a setting: key=value");
  p.add_flag("npy", &cfg.npy, "also write .npy copies of the user and item matrices (--no-npy to skip)");
  p.add_flag("force", &force, "replace an existing snapshot directory");
  p.set_epilog("settings (--set key=value):\n" + config_help(cfg) +
               "\nexample:\n  stars export --data ds --model model --out snap\n");
  if (!p.parse(argc, argv)) return 0;
  if (!config_file.empty()) config_from_json(JsonObject::parse(read_text_file(config_file), config_file), cfg, config_file);
  for (const auto& s : sets) config_apply_set(cfg, s);
  cfg.validate();
  if (semantics_dir.empty() && file_exists(path_join(path_join(data_dir, "semantics"), semantics::kEmbedderFile)))
    semantics_dir = path_join(data_dir, "semantics");

  auto ds = data::Dataset::open(data_dir);
  serve::limit_blas_threads(1);  // parallel over batches of users on --threads workers; BLAS must not fan out
#ifdef STARS_WITH_MODEL
  std::unique_ptr<model::Encoder> encoder;
  try {
    model::check_model_items(model_dir, *ds);
    encoder = model::load_encoder(model_dir, 1);  // one LibTorch thread per encoding thread
  } catch (const Error& e) {
    throw e.with_context("loading model " + model_dir);
  }
  const std::string model_config = model::model_config_path(model_dir);
#else
  std::unique_ptr<model::Encoder> encoder;
  STARS_THROW(kUnavailable, "this build of stars has no model module (LibTorch), so it cannot encode users");
  const std::string model_config;
#endif
  Timer t;
  serve::SnapshotData data = serve::build_snapshot_data(*ds, *encoder, cfg);
  data.manifest.source_model = model_dir;
  data.manifest.exclude_seen = model_excludes_history(model_config);
  serve::SnapshotWriteOptions w;
  w.model_dir = model_dir;
  w.semantics_dir = semantics_dir;
  w.write_npy = cfg.npy;
  w.overwrite = force;
  serve::write_snapshot(out, data, w);
  const auto& m = data.manifest;
  std::printf("snapshot %s written to %s: %s users, %s items, dim %d, %s users/s (%.1f s encoding, %.1f s total)%s%s\n",
              m.snapshot_id.c_str(), out.c_str(), format_count(m.num_users).c_str(), format_count(m.num_items).c_str(),
              m.dim, format_count(static_cast<uint64_t>(m.users_per_second)).c_str(), m.export_seconds, t.seconds(),
              semantics_dir.empty() ? "" : ", text embedder from ", semantics_dir.c_str());
  return 0;
}

}  // namespace stars::cli
