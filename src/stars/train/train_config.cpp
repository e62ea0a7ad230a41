#include "stars/train/train_config.h"

#include <algorithm>

#include "stars/core/error.h"
#include "stars/core/strings.h"
#include "stars/data/history_stats.h"

namespace stars::train {

void TrainConfig::validate() const {
  data::check_exclude_history(exclude_history, "train.exclude_history");
  STARS_CHECK_ARG(epochs >= 1, "train.epochs must be >= 1, got " << epochs);
  STARS_CHECK_ARG(batch_size >= 1 && batch_size <= 1 << 20, "train.batch_size must be in [1, 1048576], got " << batch_size);
  STARS_CHECK_ARG(bucket_batches >= 1 && bucket_batches <= 1 << 20, "train.bucket_batches must be >= 1, got " << bucket_batches);
  STARS_CHECK_ARG(lr > 0 && lr < 10, "train.lr must be in (0, 10), got " << lr);
  STARS_CHECK_ARG(schedule == "onecycle" || schedule == "constant", "train.schedule must be onecycle or constant, got '" << schedule << "'");
  STARS_CHECK_ARG(lr_warmup_frac >= 0 && lr_warmup_frac <= 0.5, "train.lr_warmup_frac must be in [0, 0.5], got " << lr_warmup_frac);
  STARS_CHECK_ARG(lr_start_frac > 0 && lr_start_frac <= 1, "train.lr_start_frac must be in (0, 1], got " << lr_start_frac);
  STARS_CHECK_ARG(lr_final_frac >= 0 && lr_final_frac <= 1, "train.lr_final_frac must be in [0, 1], got " << lr_final_frac);
  STARS_CHECK_ARG(beta1 >= 0 && beta1 < 1, "train.beta1 must be in [0, 1), got " << beta1);
  STARS_CHECK_ARG(beta2 >= 0 && beta2 < 1, "train.beta2 must be in [0, 1), got " << beta2);
  STARS_CHECK_ARG(adam_eps > 0, "train.adam_eps must be > 0, got " << adam_eps);
  STARS_CHECK_ARG(weight_decay >= 0, "train.weight_decay must be >= 0, got " << weight_decay);
  STARS_CHECK_ARG(embedding_weight_decay >= 0, "train.embedding_weight_decay must be >= 0, got " << embedding_weight_decay);
  STARS_CHECK_ARG(!sparse_delta || beta1 * beta1 < beta2,
                  "train.sparse_delta=true needs beta1^2 < beta2 (the momentum of a row's missed steps must fade), got "
                      << beta1 << "^2 vs " << beta2 << "; set train.sparse_delta=false");
  STARS_CHECK_ARG(clip_norm >= 0, "train.clip_norm must be >= 0, got " << clip_norm);
  STARS_CHECK_ARG(delta_freeze_epochs >= 0, "train.delta_freeze_epochs must be >= 0, got " << delta_freeze_epochs);
  STARS_CHECK_ARG(delta_lr_scale > 0 && delta_lr_scale <= 10, "train.delta_lr_scale must be in (0, 10], got " << delta_lr_scale);
  // The decoupled decay multiplies the weights by 1 - lr x decay each step: at 1 or more it would flip or zero them.
  STARS_CHECK_ARG(lr * weight_decay < 1, "train.lr x train.weight_decay must be < 1, got " << lr << " x " << weight_decay);
  STARS_CHECK_ARG(lr * std::max(1.0, delta_lr_scale) * embedding_weight_decay < 1,
                  "train.lr x max(1, train.delta_lr_scale) x train.embedding_weight_decay must be < 1, got "
                      << lr << " x " << std::max(1.0, delta_lr_scale) << " x " << embedding_weight_decay);
  STARS_CHECK_ARG(loss == "sampled" || loss == "full", "train.loss must be sampled or full, got '" << loss << "'");
  STARS_CHECK_ARG(max_history_pairs >= 1, "train.max_history_pairs must be >= 1, got " << max_history_pairs);
  STARS_CHECK_ARG(slice_logits == "gather" || slice_logits == "matmul",
                  "train.slice_logits must be gather or matmul, got '" << slice_logits << "'");
  STARS_CHECK_ARG(negatives >= 0 && negatives <= 100000, "train.negatives must be in [0, 100000], got " << negatives);
  STARS_CHECK_ARG(shared_negatives >= 0 && shared_negatives <= 1000000, "train.shared_negatives must be in [0, 1000000], got " << shared_negatives);
  STARS_CHECK_ARG(loss == "full" || negatives + shared_negatives >= 1,
                  "train.negatives + train.shared_negatives must be >= 1 with the sampled loss");
  STARS_CHECK_ARG(page_negatives >= 0, "train.page_negatives must be >= 0, got " << page_negatives);
  STARS_CHECK_ARG(subclass_negatives >= 0, "train.subclass_negatives must be >= 0, got " << subclass_negatives);
  STARS_CHECK_ARG(hard_negative_skip == "user" || hard_negative_skip == "page",
                  "train.hard_negative_skip must be user or page, got '" << hard_negative_skip << "'");
  STARS_CHECK_ARG(subclass_draws == "uniform" || subclass_draws == "popularity",
                  "train.subclass_draws must be uniform or popularity, got '" << subclass_draws << "'");
  STARS_CHECK_ARG(random_negatives == "uniform" || random_negatives == "popularity",
                  "train.random_negatives must be uniform or popularity, got '" << random_negatives << "'");
  STARS_CHECK_ARG(gamma >= 0 && gamma <= 10, "train.gamma must be in [0, 10], got " << gamma);
  STARS_CHECK_ARG(prior_alpha > 0, "train.prior_alpha must be > 0, got " << prior_alpha);
  STARS_CHECK_ARG(logistic_weight >= 0, "train.logistic_weight must be >= 0, got " << logistic_weight);
  STARS_CHECK_ARG(slice_weight >= 0, "train.slice_weight must be >= 0, got " << slice_weight);
  STARS_CHECK_ARG(inbatch_weight >= 0, "train.inbatch_weight must be >= 0, got " << inbatch_weight);
  STARS_CHECK_ARG(gen_weight >= 0, "train.gen_weight must be >= 0, got " << gen_weight);
  STARS_CHECK_ARG(cold_user_weight >= 0, "train.cold_user_weight must be >= 0, got " << cold_user_weight);
  STARS_CHECK_ARG(cold_user_holdout >= 0 && cold_user_holdout <= 0.5,
                  "train.cold_user_holdout must be in [0, 0.5], got " << cold_user_holdout);
  STARS_CHECK_ARG(split == "loo" || split == "temporal", "train.split must be loo or temporal, got '" << split << "'");
  STARS_CHECK_ARG(windows == "all" || windows == "last", "train.windows must be all or last, got '" << windows << "'");
  STARS_CHECK_ARG(eval_vector == "next" || eval_vector == "gen" || eval_vector == "sum",
                  "train.eval_vector must be next, gen or sum, got '" << eval_vector << "'");
  STARS_CHECK_ARG(patience >= 1, "train.patience must be >= 1, got " << patience);
  STARS_CHECK_ARG(eval_every >= 1, "train.eval_every must be >= 1, got " << eval_every);
  STARS_CHECK_ARG(valid_max_users >= 0, "train.valid_max_users must be >= 0, got " << valid_max_users);
  STARS_CHECK_ARG(valid_protocol == "next" || valid_protocol == "session",
                  "train.valid_protocol must be next or session, got '" << valid_protocol << "'");
  STARS_CHECK_ARG(valid_protocol != "session" || split == "temporal",
                  "train.valid_protocol=session ranks sessions of the temporal validation and test periods: it needs train.split=temporal, got '"
                      << split << "'");
  STARS_CHECK_ARG(!exclude_cold_users || valid_protocol != "session",
                  "train.exclude_cold_users=true keeps cold users out of validation, but valid_protocol=session ranks "
                  "every session of the validation period (cold users' too): use valid_protocol=next");
  STARS_CHECK_ARG(max_steps >= 0, "train.max_steps must be >= 0, got " << max_steps);
  STARS_CHECK_ARG(profile_steps >= 0, "train.profile_steps must be >= 0, got " << profile_steps);
  STARS_CHECK_ARG(profile_after >= 0, "train.profile_after must be >= 0, got " << profile_after);
  STARS_CHECK_ARG(world_size >= 1, "train.world_size must be >= 1, got " << world_size);
  STARS_CHECK_ARG(dist_timeout >= 1, "train.dist_timeout must be >= 1 second, got " << dist_timeout);
  STARS_CHECK_ARG(threads >= 0 && threads <= 1024, "train.threads must be in [0, 1024], got " << threads);
  STARS_CHECK_ARG(loader_threads >= 1 && loader_threads <= 256, "train.loader_threads must be in [1, 256], got " << loader_threads);
  STARS_CHECK_ARG(prefetch >= 1 && prefetch <= 1024, "train.prefetch must be in [1, 1024], got " << prefetch);
  STARS_CHECK_ARG(device == "cpu" || device == "auto" || device.rfind("cuda", 0) == 0,
                  "train.device must be cpu, cuda[:i] or auto, got '" << device << "'");
}

StarsConfig stars_preset(const std::string& name) {
  StarsConfig c;
  if (name == "cpu" || name.empty()) {
    // Chosen by measurement on CPU-sized catalogs (README "Quality"): the softmax over the whole catalog is
    // affordable up to ~10^5 items and was far stronger than the candidate slice at this width (synth,
    // 3,000 users: test Recall@10 0.39 against 0.20); dropout 0.3; a small h_gen loss keeps h_gen useful
    // at little cost to h_next (0.5 cost 10-20%). train.loss=sampled switches the paper's candidate-slice
    // softmax and its page/subclass negatives back on (the paper preset uses it).
    c.model = model::model_preset("cpu");
    c.model.dropout = 0.3;
    c.model.attn_dropout = 0.3;
    c.model.head = "identity";
    c.train.loss = "full";
    c.train.lr = 2e-3;
    c.train.beta2 = 0.98;
    c.train.weight_decay = 0.0;
    c.train.gen_weight = 0.1;
    c.train.patience = 6;
    return c;
  }
  if (name == "paper") {
    c.model = model::model_preset("paper");
    c.train.batch_size = 256;
    c.train.negatives = 20;
    c.train.lr = 5e-4;
    c.train.device = "auto";
    return c;
  }
  if (name == "sasrec") {
    // The ID-only baseline: a SASRec trained with full softmax cross-entropy.
    c.model = model::model_preset("cpu");
    apply_ablation(&c, "id-only");
    c.model.d_model = 64;
    c.model.n_layers = 2;
    c.model.n_heads = 1;
    c.model.d_ff = 64;
    c.model.activation = "relu";
    c.model.dropout = 0.3;
    c.model.attn_dropout = 0.3;
    c.model.max_len = 50;
    c.model.head = "identity";
    c.train.loss = "full";
    c.train.negatives = 0;
    c.train.gamma = 0.0;
    c.train.gen_weight = 0.0;
    c.train.schedule = "constant";
    c.train.lr = 1e-3;
    c.train.beta2 = 0.98;
    c.train.weight_decay = 0.0;
    c.train.windows = "last";
    return c;
  }
  if (name == "tiny") {
    c.model = model::model_preset("tiny");
    c.train.epochs = 5;
    c.train.batch_size = 16;
    c.train.negatives = 8;
    c.train.page_negatives = 2;
    c.train.subclass_negatives = 2;
    c.train.lr = 3e-3;
    c.train.patience = 100;
    c.train.threads = 1;
    c.train.progress = false;
    return c;
  }
  STARS_THROW(kInvalidArgument, "unknown preset '" << name << "' (expected cpu, paper, sasrec or tiny)");
}

const std::vector<std::string>& ablation_names() {
  static const std::vector<std::string> names = {"no-text", "no-tags", "no-delta", "no-context", "no-engagement",
                                                 "no-user", "no-recency", "no-context-head", "gamma0", "no-logq",
                                                 "uniform-negatives", "no-page-negatives", "no-hard-negatives", "id-only"};
  return names;
}

void apply_ablation(StarsConfig* c, const std::string& name) {
  auto& m = c->model;
  auto& t = c->train;
  if (name == "no-text") m.use_text = false;
  else if (name == "no-tags") m.use_tags = false;
  else if (name == "no-delta") m.use_delta = false;
  else if (name == "no-context") { m.use_context = false; m.use_context_head = false; }
  else if (name == "no-engagement") m.use_engagement = false;
  else if (name == "no-user") m.use_user_token = false;
  else if (name == "no-recency") m.use_recency = false;
  else if (name == "no-context-head") m.use_context_head = false;
  else if (name == "gamma0") t.gamma = 0.0;
  else if (name == "no-logq") t.logq_correction = false;
  else if (name == "uniform-negatives") t.subclass_negatives = 0;
  else if (name == "no-page-negatives") t.page_negatives = 0;
  else if (name == "no-hard-negatives") { t.page_negatives = 0; t.subclass_negatives = 0; }
  else if (name == "id-only") {
    m.use_text = false;
    m.use_tags = false;
    m.use_delta = true;
    m.use_context = false;
    m.use_engagement = false;
    m.use_recency = false;
    m.use_user_token = false;
    m.use_context_head = false;
  } else {
    STARS_THROW(kInvalidArgument, "unknown ablation '" << name << "' (expected one of: " << join(ablation_names(), ", ") << ")");
  }
}

}  // namespace stars::train
