// Configuration of `stars train` (paper §4.2-4.3): optimisation, the candidate-slice softmax with its
// popularity prior and negative mix, auxiliary losses, data windows, early stopping and devices; plus the
// named presets and ablation switches. Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stars/model/model_config.h"

namespace stars::train {

struct TrainConfig {
  int epochs = 100;                   ///< maximum epochs, >= 1
  int batch_size = 128;               ///< sequences per step, >= 1
  int bucket_batches = 32;            ///< group windows of similar length within runs of this many batches, 1 = off
  double lr = 1e-3;                   ///< peak learning rate, > 0
  std::string schedule = "onecycle";  ///< onecycle (linear warm-up, cosine decay) | constant
  double lr_warmup_frac = 0.02;       ///< share of the total steps spent warming up, [0, 0.5]
  double lr_start_frac = 0.1;         ///< warm-up starts at lr * lr_start_frac, (0, 1]
  double lr_final_frac = 0.05;        ///< cosine decays to lr * lr_final_frac, [0, 1]
  double beta1 = 0.9;                 ///< AdamW beta1, [0, 1)
  double beta2 = 0.95;                ///< AdamW beta2, [0, 1)
  double adam_eps = 1e-8;             ///< AdamW epsilon, > 0
  double weight_decay = 0.01;         ///< decoupled weight decay of dense matrices, >= 0
  double embedding_weight_decay = 0;  ///< weight decay of embedding tables (Δ included), >= 0
  double clip_norm = 1.0;             ///< gradient-norm clip per parameter group, 0 = off
  int delta_freeze_epochs = 1;        ///< epochs Δ stays frozen when the model reads text vectors, >= 0
  double delta_lr_scale = 0.3;        ///< Δ learning rate relative to lr once unfrozen (text models), (0, 10]
  bool sparse_delta = true;           ///< steps that gather Δ's rows of their items update only those rows (same weights)

  std::string loss = "sampled";       ///< sampled (candidate-slice softmax) | full (softmax over the catalog)
  bool chunked_softmax = true;        ///< loss=full on CPU: a chunk of items at a time (same loss, less memory traffic)
  std::string slice_logits = "gather";  ///< sampled loss: gather (each target's candidate vectors) | matmul (every target x the batch's items)
  int negatives = 16;                 ///< negatives of each target (sampled loss; optional extra for full), >= 0
  int shared_negatives = 512;         ///< random negatives shared by all targets of a batch (sampled loss), >= 0
  int page_negatives = 8;             ///< of which up to this many same-page (impression) items, >= 0
  int subclass_negatives = 8;         ///< of which up to this many items of the target's subclass, >= 0
  std::string hard_negative_skip = "page";  ///< page and subclass negatives skip: page (items the user engaged with on the target's page) | user (every item of the user's training events)
  std::string subclass_draws = "uniform";    ///< subclass negatives: uniform (distinct items) | popularity (by training events + 1, with replacement)
  std::string random_negatives = "uniform";  ///< the rest: uniform | popularity
  double gamma = 0.0;                 ///< strength of the fixed prior b_k = -gamma log pi_k, >= 0
  bool logq_correction = true;        ///< sampled loss: subtract each negative's log expected occurrences
  double prior_alpha = 1.0;           ///< additive smoothing of the popularity pi_k, > 0
  double logistic_weight = 0.0;       ///< weight of the logistic negative loss (eq. 5), >= 0
  double slice_weight = 0.0;          ///< weight of an uncorrected softmax over each target's own slice [target, negatives], >= 0
  double inbatch_weight = 0.0;        ///< weight of the in-batch contrastive loss on final targets, >= 0
  double gen_weight = 0.5;            ///< weight of the h_gen loss on each sequence's final target, >= 0
  double cold_user_weight = 0.1;      ///< weight of the cold-user loss (a head over the static features, on users' earliest targets), >= 0
  double cold_user_holdout = 0.1;     ///< with the prior: share of training users kept out of the cold-user loss to check the head, [0, 0.5]
  bool cold_user_prior = true;        ///< the cold-user head's logits add the log share of users whose first event is each item

  std::string split = "loo";          ///< loo (leave-one-out) | temporal
  std::string windows = "all";        ///< all (every event a target once) | last (most recent window only)
  bool exclude_cold_items = false;    ///< drop cold items' events from training (cold-item protocol)
  bool exclude_cold_users = false;    ///< drop cold users' events from training and validation (cold-user protocol)
  std::string exclude_history = "auto";  ///< neither train nor rank against the user's history items: auto | true | false
  int64_t max_history_pairs = int64_t{1} << 27;  ///< loss=full with exclude_history: most (target, history item) pairs a batch may list, >= 1
  std::string eval_vector = "next";   ///< user vector ranked in validation/test: next | gen | sum
  int patience = 10;                  ///< epochs without a better validation NDCG@10 before stopping, >= 1
  int eval_every = 1;                 ///< validate every this many epochs, >= 1
  int valid_max_users = 0;            ///< validate on at most this many users (seeded sample), 0 = all
  std::string valid_protocol = "next";  ///< what validation (and the final test) ranks: next (the split's next event, full catalog) | session (paper §6.1: the session's products; split=temporal)
  int64_t max_steps = 0;              ///< stop after this many steps in total (benchmarks), 0 = no limit
  int64_t profile_steps = 0;          ///< profile this many steps (profile.txt in the model folder), 0 = off
  int64_t profile_after = 5;          ///< ... after this many steps of the run (warm-up), >= 0

  int threads = 0;                    ///< torch intra-op threads, 0 = STARS_THREADS or all cores
  int world_size = 1;                 ///< processes training together, data-parallel (stars train --nproc), >= 1
  int dist_timeout = 600;             ///< seconds a process waits for the others (start-up and each collective), >= 1
  int loader_threads = 1;             ///< batch-building worker threads, >= 1
  int prefetch = 4;                   ///< batches built ahead, >= 1
  uint64_t seed = 42;                 ///< seed of initialisation, sampling and dropout
  std::string init_from;              ///< warm start: a model directory trained on earlier data ("" = random initialisation)
  std::string device = "cpu";         ///< cpu | cuda | auto
  bool bf16 = true;                   ///< bf16 autocast on CUDA
  bool progress = true;               ///< progress bar on a terminal

  template <class V>
  void visit(V& v) {
    v("epochs", epochs, "maximum epochs, >= 1");
    v("batch_size", batch_size, "sequences per step, >= 1");
    v("bucket_batches", bucket_batches, "group windows of similar length within runs of this many batches (less padding), 1 = off");
    v("lr", lr, "peak learning rate, > 0");
    v("schedule", schedule, "onecycle | constant");
    v("lr_warmup_frac", lr_warmup_frac, "share of total steps spent warming up, [0, 0.5]");
    v("lr_start_frac", lr_start_frac, "warm-up starts at lr * lr_start_frac, (0, 1]");
    v("lr_final_frac", lr_final_frac, "cosine decays to lr * lr_final_frac, [0, 1]");
    v("beta1", beta1, "AdamW beta1, [0, 1)");
    v("beta2", beta2, "AdamW beta2, [0, 1)");
    v("adam_eps", adam_eps, "AdamW epsilon, > 0");
    v("weight_decay", weight_decay, "decoupled weight decay of dense matrices, >= 0");
    v("embedding_weight_decay", embedding_weight_decay, "weight decay of embedding tables, >= 0");
    v("clip_norm", clip_norm, "gradient-norm clip per parameter group, 0 = off");
    v("delta_freeze_epochs", delta_freeze_epochs, "epochs the item offset Δ stays frozen (text models), >= 0");
    v("delta_lr_scale", delta_lr_scale, "Δ learning rate relative to lr once unfrozen (text models), (0, 10]");
    v("sparse_delta", sparse_delta, "when a step's forward gathers Δ's rows of the batch's items only (the sampled loss, when the batch holds at most half the catalog), Δ gets a sparse gradient over those rows and AdamW updates only them; the steps a row had no gradient in (where dense AdamW still moves it on its momentum) are applied in closed form when it is next gathered and at every epoch's end. Same weights as the dense update (weight decay included) up to rounding and AdamW's epsilon, at a cost that follows the batch, not the catalog; needs beta1^2 < beta2. false = a dense gradient and update of the whole table every step");
    v("loss", loss, "sampled (candidate-slice softmax) | full (softmax over the catalog)");
    v("chunked_softmax", chunked_softmax, "loss=full on CPU: compute the softmax a chunk of items at a time, keeping only each row's log-sum-exp (same loss and gradients, far less memory traffic); false = one (targets x items) logit matrix");
    v("slice_logits", slice_logits, "how the sampled loss computes its candidate logits: gather (copy each target's candidate vectors, a dot product each) | matmul (every target against all of the batch's items in one matrix product, then each target's candidates picked; U/C times the arithmetic without the (targets, candidates, dim) copy, for GPUs; the same logits)");
    v("negatives", negatives, "negatives of each target, >= 0");
    v("shared_negatives", shared_negatives, "random negatives shared by all targets of a batch (sampled loss), >= 0");
    v("page_negatives", page_negatives, "of which up to this many same-page items (ablation: 0)");
    v("subclass_negatives", subclass_negatives, "of which up to this many same-subclass items (ablation: 0 = uniform)");
    v("hard_negative_skip", hard_negative_skip, "what page and subclass negatives skip: page (the items the user engaged with on the target's page) | user (every item of the user's training events)");
    v("subclass_draws", subclass_draws, "how subclass negatives are drawn: uniform (distinct items of the subclass) | popularity (by training events + 1, with replacement, as pages show the subclass's popular items)");
    v("random_negatives", random_negatives, "the rest: uniform | popularity");
    v("gamma", gamma, "strength of the prior b_k = -gamma log pi_k (ablation: 0), >= 0");
    v("logq_correction", logq_correction, "sampled loss: subtract from each negative's logit the log of its expected occurrences among the draws (page, subclass, random, shared), so that the candidate slice estimates the full softmax");
    v("prior_alpha", prior_alpha, "additive smoothing of the popularity pi_k, > 0");
    v("logistic_weight", logistic_weight, "weight of the logistic negative loss, >= 0");
    v("slice_weight", slice_weight, "weight of a softmax over each target's own slice [target, its page, subclass and random negatives] without logQ correction, next to the main loss: the pick among the alternatives shown, >= 0");
    v("inbatch_weight", inbatch_weight, "weight of the in-batch contrastive loss, >= 0");
    v("gen_weight", gen_weight, "weight of the h_gen loss on final targets, >= 0");
    v("cold_user_holdout", cold_user_holdout, "with cold_user_prior: a seeded share of the training users whose first event the cold-user loss leaves out; after training, the head (vector + prior) is ranked against its prior alone on those users' first events, and when it does not do better (MRR over the whole catalog) its output is zeroed, so that cold users are ranked by the prior (what new users take first); 0 = no check, [0, 0.5]");
    v("cold_user_prior", cold_user_prior, "the cold-user head ranks by h_user . e_k + log(share of training users whose first event is item k, add-one smoothed): it learns how static features move a new user away from what new users take first; the prior is saved with the model and added by stars eval and stars serve");
    v("cold_user_weight", cold_user_weight, "weight of the cold-user loss: a head over the [USER] token (the static user features alone) learns to predict each user's earliest target, so that a user without events gets a vector from the features alone (stars serve user_features, eval protocol cold_user); it trains only that head and the feature embeddings; on only when the data has static user features and the model the [USER] token, >= 0");
    v("split", split, "loo | temporal");
    v("windows", windows, "all | last");
    v("exclude_cold_items", exclude_cold_items, "drop cold items' events from training");
    v("exclude_cold_users", exclude_cold_users, "drop every event of cold users (prepare's cold_user_fraction) from training, validation and the final test, so that stars eval may score the model on the cold_user protocol");
    v("max_history_pairs", max_history_pairs, "loss=full with exclude_history: the most (target, earlier item) pairs one batch may list for the softmax's mask (16 bytes each, on the host and the device); training refuses to start when the longest histories could exceed it, >= 1");
    v("exclude_history", exclude_history, "never rank the user's earlier items, in the loss and in validation: auto (when under 1% of training events repeat an item of the user) | true | false");
    v("eval_vector", eval_vector, "user vector ranked in validation/test: next | gen | sum");
    v("patience", patience, "epochs without a better validation NDCG@10 before stopping, >= 1");
    v("eval_every", eval_every, "validate every this many epochs, >= 1");
    v("valid_max_users", valid_max_users, "validate on at most this many users, 0 = all");
    v("valid_protocol", valid_protocol, "what validation, early stopping and the final test rank: next (the split's next event among the whole catalog) | session (the paper's session protocol: a session's first purchase among its products; needs split=temporal)");
    v("max_steps", max_steps, "stop after this many steps, 0 = no limit");
    v("profile_steps", profile_steps, "profile this many training steps with LibTorch's profiler: profile.txt in the model folder gives, per step, the GPU kernels' time and how busy the GPU was, and the operators' self time on the host (and profile_trace.json, a Chrome trace, where LibTorch has Kineto), 0 = off, >= 0");
    v("profile_after", profile_after, "the profiled steps start after this many steps of the run (warm-up), >= 0");
    v("threads", threads, "torch intra-op threads, 0 = STARS_THREADS or all cores");
    v("world_size", world_size, "processes training together, data-parallel: each trains on its share of every batch's windows with its losses weighted by its share of the batch's targets, and all apply the update of their summed gradients (Gloo all-reduce), the one a single process computes on the whole batch; stars train --nproc N starts N on this machine, --rank with --dist-addr starts one of a group by hand (docs/MODEL.md, Data-parallel training), >= 1");
    v("dist_timeout", dist_timeout, "seconds a data-parallel process waits for the others at each collective, and twice that at start-up, >= 1");
    v("loader_threads", loader_threads, "batch-building worker threads, >= 1");
    v("prefetch", prefetch, "batches built ahead, >= 1");
    v("seed", seed, "seed of initialisation, sampling and dropout");
    v("init_from", init_from, "warm start: start from the weights of this model directory, trained on an earlier version of the data (items, tags, regions, calendar events and categorical values matched by name; new ones start fresh, new items with Δ = 0 when the model reads text vectors); the same architecture; optimizer and schedule start fresh; \"\" = random initialisation");
    v("device", device, "cpu | cuda | auto");
    v("bf16", bf16, "bf16 autocast on CUDA");
    v("progress", progress, "progress bar on a terminal");
  }
  void validate() const;
};

// Everything `stars train` reads: {"model": {...}, "train": {...}}.
struct StarsConfig {
  model::ModelConfig model;
  TrainConfig train;
  template <class V>
  void visit(V& v) {
    v("model", model, "the network");
    v("train", train, "the training loop");
  }
  void validate() const {
    model.validate();
    train.validate();
  }
};

// Presets: "cpu" (measured CPU default), "paper" (§4 sizes, for GPU), "sasrec" (ID-only SASRec baseline:
// full softmax cross-entropy, width 64, 2 layers, length 50, dropout 0.3, Adam 1e-3), "tiny" (tests).
StarsConfig stars_preset(const std::string& name);

// Ablation switches by name: no-text, no-tags, no-delta, no-context, no-engagement, no-user, no-recency,
// no-context-head, gamma0, no-logq, uniform-negatives, no-page-negatives, no-hard-negatives (random negatives
// only), id-only.
void apply_ablation(StarsConfig* config, const std::string& name);
const std::vector<std::string>& ablation_names();

}  // namespace stars::train
