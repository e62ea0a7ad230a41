// One `stars eval` run as a library call: for each requested protocol, build its queries, score every
// baseline and every model valid for it in the harness, summarise (metrics, slices, intervals, paired
// comparisons) and collect the ranks for ranks.tbl. Models come in as torch-free model::Encoder
// references (the CLI loads them), so this module never links torch. Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/data/dataset.h"
#include "stars/eval/eval_config.h"
#include "stars/eval/protocols.h"
#include "stars/eval/rank_file.h"
#include "stars/eval/results.h"
#include "stars/model/encoder.h"
#include "stars/semantics/item_semantics.h"

namespace stars::eval {

// The baselines `stars eval` knows, in report order (`--baselines all`): popularity, recent-popularity,
// cooccurrence, lambdamart, first_popularity.
const std::vector<std::string>& baseline_names();
// The baselines of `stars eval` without --baselines: every baseline but first_popularity (added later; the
// default leaves the output of earlier default runs unchanged).
const std::vector<std::string>& default_baseline_names();

struct ModelSpec {
  std::string name;                  // display name ("stars", "sasrec-id"); one name may have several directories
  std::string dir;                   // model directory written by `stars train`
  std::vector<Protocol> protocols;   // protocols the model was trained for (its training data matches their split)
  model::Encoder* encoder = nullptr;
};

// The protocols a model directory's training data is valid for, from DIR/config.json's "train" section:
// split=loo serves loo and sampled, plus cold with exclude_cold_items=true and cold_user with
// exclude_cold_users=true; split=temporal serves temporal and session. No config.json: as split=loo.
std::vector<Protocol> model_protocols(const std::string& dir);

struct EvalRequest {
  std::vector<Protocol> protocols;
  std::vector<std::string> baselines;
  std::vector<ModelSpec> models;
  EvalConfig config;
  int threads = 1;
  std::string command;
  const semantics::ItemSemantics* semantics = nullptr;  // content-path vectors of cold items (may be null)
};

struct EvalOutput {
  EvalResults results;
  std::vector<RunRanks> ranks;
};

EvalOutput run_evaluation(const data::Dataset& ds, const EvalRequest& request);

// Fingerprint of a prepared dataset: manifest, events and cold flags (equal = same data and splits).
std::string dataset_fingerprint(const data::Dataset& ds);
// Hash of a model directory's files (not its logs or checkpoint folders), and of its config.json.
std::string model_dir_hash(const std::string& dir);
std::string model_config_hash(const std::string& dir);
// Fills EvalResults::dataset from a dataset.
DatasetSummary summarize_dataset(const data::Dataset& ds);

}  // namespace stars::eval
