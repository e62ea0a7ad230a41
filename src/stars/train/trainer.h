// The STARS training loop (paper §4.3): candidate-slice softmax with the fixed popularity prior, optional
// logistic and in-batch losses, AdamW with per-group clipping and a one-cycle schedule, Δ frozen for the
// first epochs, batches from worker threads, validation NDCG@10 early stopping, checkpoints with an exact
// --resume, a progress bar and a JSONL log; full-catalog test metrics in MODEL/metrics.json at the end.
// Torch-free interface (the loop itself lives in trainer.cpp).
#pragma once

#include <map>
#include <string>

#include "stars/train/train_config.h"

namespace stars::train {

struct TrainRequest {
  std::string data_dir;   // prepared dataset (with DS/semantics when enriched)
  std::string out_dir;    // model directory
  StarsConfig config;
  bool resume = false;    // continue from out_dir/checkpoint.tbl (same configuration)
  int stop_after_epochs = 0;  // end this invocation after so many epochs (continue later with resume); 0 = no limit
  // Data-parallel training (config.train.world_size > 1): this process's rank, and where rank 0 serves the
  // rendezvous. Rank 0 writes the model folder, logs and computes the final metrics; the others only train
  // and validate (each a share of the queries), and return without test metrics.
  int rank = 0;
  std::string dist_store_file;  // ranks on one machine: a file they share (DataParallelOptions::store_file)
  std::string dist_host = "127.0.0.1";
  int dist_port = 29500;
};

struct TrainSummary {
  int epochs_run = 0;                 // epochs completed in total (resumed ones included)
  int best_epoch = 0;                 // 1-based epoch with the best validation NDCG@10 (0 = none)
  double best_valid_ndcg10 = 0.0;
  int64_t steps = 0;
  double tokens_per_second = 0.0;     // training targets per second of training-loop time, this process
  std::string stop_reason;            // "epochs", "early_stop", "max_steps", "paused" (stop_after_epochs)
  std::map<std::string, double> valid, test;  // metrics of the best weights (hit@K, recall@K, ndcg@K, mrr)
};

TrainSummary run_training(const TrainRequest& request);

// The cold-user check's decision (train.cold_user_holdout): whether the head (vector + prior) ranks the
// held-out users' first events better than the prior alone, by MRR over the whole catalog (every held-out
// user adds to it; NDCG@10 counts only those ranked in the top 10). Arguments: metric maps with "mrr".
bool cold_user_head_wins(const std::map<std::string, double>& head, const std::map<std::string, double>& prior_alone);

}  // namespace stars::train
