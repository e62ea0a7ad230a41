// The STARS network (paper §4.1-4.4) behind a small interface. Included only by torch translation units
// (the model, train and their tests); it pulls in the ATen tensor type, never <torch/torch.h>.
//
//   item token   x_k = in_proj([e_text_k + Δ_k ; g_attr(t_k)])            (ID-only: x_k = Δ_k)
//   slot input   x_k + position + engagement + hour + day + week + calendar + region + context + recency
//   sequence     [USER] slot_1 .. slot_T [USER*]   pre-LN transformer, causal over slots; [USER] (static
//                features) is visible to every position; [USER*] is the pooling copy that reads them all
//   pooling      h_next(t) = head_next(LN(out_t)),  h_gen = head_gen(LN(out_[USER*]))
//   logits       z_k = (h + o_ctx) · x_k (+ b_k in training), item vectors tied to the item token x_k
//   context head o_ctx = W_ctx [e_hour; e_day; e_week; e_region; e_calendar] of the target/request time
//
// Dimension letters: B rows, T slots, L = T + 2 sequence positions, D width, S serving dim (= D),
// H heads, U distinct items, N catalog items, N_t targets, C candidates.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stars/model/model_dir.h"
#include "stars/model/token_batch.h"

namespace stars::model {

// A TokenBatch as tensors on the network's device (shapes as in TokenBatch; `uniq` undefined = all items).
struct BatchTensors {
  int64_t B = 0, T = 0;
  at::Tensor item_local, valid, type, hour, dow, week, region, recency, context, cal_ids, cal_offsets;
  at::Tensor user_num, user_cat, uniq;
  at::Tensor tgt_slot, tgt_item, cands, shared, shared_item, tgt_hour, tgt_dow, tgt_week, tgt_region, tgt_cal_ids, tgt_cal_offsets;
  // The rows whose last slot has a target (TokenBatch::row_last_target >= 0), that target's index, and
  // for every target its position in those lists or -1 (N_t): listed on the host, so that the h_gen
  // losses need no device sync to find them.
  at::Tensor final_rows, final_targets, final_pos;
  // The same for the rows that start at their user's first training event and their first target
  // (TokenBatch::row_first_target): the cold-user loss.
  at::Tensor first_rows, first_targets, first_pos;
  // The item of each such row's first slot, the user's first event: what the cold-user loss predicts
  // (global id, and its index into `uniq`, or the global id when there is none).
  at::Tensor first_items, first_items_local;
  at::Tensor hist_tgt, hist_item, hist_cand, hist_shared;  // undefined when the batch excludes no history
  at::Tensor cand_logq, tgt_shared_logq, shared_logq;  // undefined without the sampled-softmax correction
  at::Tensor pair_logq_tgt, pair_logq_col, pair_logq;  // undefined when no shared negative needs its own
};

struct NetOutputs {
  at::Tensor h_next;  // (B, T, S) user vector after each slot
  at::Tensor h_gen;   // (B, S)
  at::Tensor h_user;  // (B, S) the cold-user vector: static features alone (undefined without [USER] token or features)
  at::Tensor items;   // (U, S) serving vectors of the batch's items (all N when uniq is undefined)
};

// Each row's user vectors after a forward pass: (h_gen, h_next after the last slot), both (B, S). The rows
// listed in `no_events` (inputs without events, when the model encodes cold users) get the cold-user vector
// h_user in both.
std::pair<at::Tensor, at::Tensor> final_user_vectors(const NetOutputs& o, const std::vector<int64_t>& no_events);

struct ParamGroup {
  std::string name;  // "delta", "embedding", "dense", "norm_bias"
  std::vector<at::Tensor> params;
  std::vector<std::string> names;
};

class StarsNet {
 public:
  // Builds the network for the data described by schema/content. Switches whose data is missing are turned
  // off in config(). Weights are initialised deterministically from `seed`.
  StarsNet(const ModelConfig& config, const FeatureSchema& schema, const ItemContent& content, uint64_t seed);
  ~StarsNet();
  StarsNet(const StarsNet&) = delete;
  StarsNet& operator=(const StarsNet&) = delete;

  const ModelConfig& config() const;   // resolved
  const FeatureSchema& schema() const;
  int serving_dim() const;
  int64_t num_parameters() const;
  bool has_context_head() const;
  // Whether a cold-user loss of weight `weight` trains h_user: the model has the [USER] token and the data
  // static user features (without features, h_user would be one vector for everyone).
  bool trains_cold_users(double weight) const;
  void set_training(bool on);
  // Seeds the dropout stream of the next forward passes (the trainer reseeds every step).
  void set_dropout_seed(uint64_t seed);
  // Whether a forward pass that gathers Δ's rows of some items (the item tower of a batch's items, not the
  // whole catalog) gives Δ a sparse gradient over those rows, which AdamW then steps row by row. Off by default.
  void set_sparse_delta_grad(bool on);
  // Whether a training forward pass of `batch` computes every item's vector (the batch holds most of the
  // catalog, or all of it: the full softmax), rather than only the batch's items.
  bool reads_all_items(const TokenBatch& batch) const;
  // Moves weights and item content to "cpu" or "cuda[:i]".
  void to_device(const std::string& device);
  at::Device device() const;

  BatchTensors make_tensors(const TokenBatch& batch) const;
  // Encodes a batch. `item_table` (N, S), when given, replaces the item tower (cached serving vectors).
  NetOutputs forward(const BatchTensors& batch, const at::Tensor* item_table = nullptr) const;
  // Serving vectors of items `ids` (n) -> (n, S); of the whole catalog, computed in chunks -> (N, S).
  at::Tensor item_vectors(const at::Tensor& ids) const;
  at::Tensor all_item_vectors() const;
  // Serving vectors of items from content alone (Δ = 0): text (n, text_dim) or undefined, tags (n, max_tags)
  // padded with num_tags, or undefined.
  at::Tensor content_item_vectors(const at::Tensor& text, const at::Tensor& tag_matrix) const;
  int tag_slots() const;  // width of tag matrices
  // Context offset o (n, S) from target/request context; zeros when the head is off.
  at::Tensor context_offset(const at::Tensor& hour, const at::Tensor& dow, const at::Tensor& week,
                            const at::Tensor& region, const at::Tensor& cal_ids, const at::Tensor& cal_offsets) const;

  // The cold-user head's fixed item prior (N): the log share of training users whose first event is each
  // item, add-one smoothed (cold_user_prior()). The head's logits are h_user . e_k + prior_k, so that it
  // learns how static features move a new user away from what new users take first. Saved with the weights
  // (array "cold_user_prior") when set; a model without the cold-user head ignores it. Empty: no prior.
  void set_cold_user_prior(const std::vector<float>& prior);
  // Zeroes the cold-user head's output layer: h_user = 0, so that cold users are ranked by the prior alone.
  void zero_cold_user_head();
  at::Tensor cold_user_prior() const;  // (N) on the model's device, or undefined

  std::vector<ParamGroup> param_groups() const;
  NamedArrays state() const;
  // Loads weights saved by state(); every parameter must be present with the same shape (the cold-user
  // head and its prior may be absent: weights written before they existed).
  void load_state(const NamedArrays& weights);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Dropout with its own counter-based random stream: on CPU a float32 mask is drawn with SplitMix64 (16 bits
// per element, 4 elements per draw), ~10x cheaper than at::bernoulli_'s Mersenne Twister, and reproducible
// from (seed, call number) alone, so a resumed run replays it. Elsewhere it falls back to at::dropout.
class DropoutSource {
 public:
  void reseed(uint64_t seed) {
    seed_ = seed;
    calls_ = 0;
  }
  at::Tensor apply(const at::Tensor& x, double p, bool training);
  // The stream state of the next draw (what apply() uses), advancing the call count as apply() does.
  uint64_t next_state() { return seed_ ^ (0x9E3779B97F4A7C15ULL * (++calls_)); }

 private:
  uint64_t seed_ = 0, calls_ = 0;
};

// softmax(q kᵀ / sqrt(dh), masked) v with a boolean mask (true = may attend), written in LibTorch ops. q, k, v:
// (B, H, L, dh); allowed: (B, 1, L, L) or (1, 1, L, L); returns (B, H, L, dh). Every row must allow at least one
// key. Attention-probability dropout draws from `source` (at::dropout when null).
at::Tensor masked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed,
                            double dropout, bool training, DropoutSource* source = nullptr);
// masked_attention of a block's fused projection on CPU (float32), in one kernel per (sequence, head) pair
// (model/detail/attention_cpu.h) that computes only the keys each query may attend. qkv: (B, L, 3 D), q, k and v
// side by side, each H heads of D / H; allowed as for masked_attention; returns (B, L, D), the heads side by
// side. With dropout it draws from `source` the masks that masked_attention draws from it.
at::Tensor attention_cpu(const at::Tensor& qkv, int64_t heads, const at::Tensor& allowed, double dropout, bool training,
                         DropoutSource* source);
// The same with the causal mask (key j <= query i). With LibTorch >= 2.0 through
// at::scaled_dot_product_attention(is_causal), whose fused kernels (flash attention on CUDA) need no mask in
// memory and draw their own dropout (`source` unused); on LibTorch 1.13 masked_attention with a causal mask.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double dropout, bool training,
                            DropoutSource* source = nullptr);

// The encoder's attention mask (B, 1, L, L) from slot validity (B, T) (bool): every position sees itself;
// slots see valid earlier slots; with the user token, position 0 ([USER]) is seen by all and sees only
// itself, and position T+1 ([USER*]) sees [USER] and every valid slot.
at::Tensor stars_attention_mask(const at::Tensor& valid, bool user_token);

// A permutation of the L positions (B, L) under which stars_attention_mask becomes the causal mask at every
// position that is not a pad slot: [USER], the valid slots in their order, [USER*], then the pad slots. A
// pad slot then sees more than under the mask, which changes only its own (unused) output.
at::Tensor causal_order(const at::Tensor& valid, bool user_token);

}  // namespace stars::model
