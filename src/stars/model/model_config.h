// Configuration of the STARS network (paper §4.1-4.4): widths, depth, dropout, sequence length, and one
// switch per mechanism so that every part can be ablated. Torch-free.
//
// The item token is [e_text + Δ ; g_attr(tags)] projected to the model width; with text and tags off it
// is the learned ID embedding Δ alone (width d_model), which makes the ID-only setting a SASRec.
#pragma once

#include <string>

namespace stars::model {

struct ModelConfig {
  int d_model = 64;                ///< transformer width D, >= 8, divisible by n_heads
  int n_layers = 2;                ///< transformer blocks, 1..48
  int n_heads = 2;                 ///< attention heads, divides d_model
  int d_ff = 256;                  ///< feed-forward inner width, >= 1
  std::string activation = "gelu"; ///< feed-forward activation: relu | gelu
  double dropout = 0.2;            ///< dropout on embeddings, residual branches and the feed-forward, [0, 1)
  double attn_dropout = 0.2;       ///< dropout on attention probabilities, [0, 1)
  bool fused_attention = false;    ///< positions in causal order, causal attention (LibTorch >= 2.0: fused kernels)
  int max_len = 50;                ///< most recent events the encoder reads, 1..4096
  int d_tag = 64;                  ///< width of the tag projection g_attr, >= 1
  std::string tag_proj = "linear"; ///< g_attr: linear | mlp (two layers with ReLU)
  int max_tags = 32;               ///< tags kept per item (the first ones), >= 1
  int d_context = 16;              ///< width of each context-head embedding (hour, day, week, region, calendar)
  int recency_buckets = 24;        ///< log2-spaced buckets of the time since an event, >= 2
  double init_std = 0.02;          ///< std of the normal init of embeddings and linear weights, > 0
  bool scale_input = false;        ///< multiply item tokens by sqrt(d_model) before adding positions

  // Mechanism switches (ablations). A switch whose data is missing is turned off at build time.
  bool use_text = true;            ///< frozen text vector e_text in the item token
  bool use_tags = true;            ///< projected multi-hot tags g_attr(t) in the item token
  bool use_delta = true;           ///< learned per-item offset Δ (the ID embedding when text is off)
  bool use_context = true;         ///< hour, day of week, time of year, calendar, region, event context columns
  bool use_engagement = true;      ///< engagement-type embedding
  bool use_position = true;        ///< learned position embedding (counted from the most recent event)
  bool use_recency = true;         ///< embedding of the time since each event
  bool use_user_token = true;      ///< [USER] token from static features; off = one pooled embedding
  bool use_context_head = true;    ///< seasonal/context head o_t added to the user vector
  std::string head = "linear";     ///< projection of h_gen/h_next to the serving space: linear | identity

  template <class V>
  void visit(V& v) {
    v("d_model", d_model, "transformer width D, >= 8, divisible by n_heads");
    v("n_layers", n_layers, "transformer blocks, 1..48");
    v("n_heads", n_heads, "attention heads, divides d_model");
    v("d_ff", d_ff, "feed-forward inner width, >= 1");
    v("activation", activation, "feed-forward activation: relu | gelu");
    v("dropout", dropout, "dropout on embeddings, residual branches and feed-forward, [0, 1)");
    v("attn_dropout", attn_dropout, "dropout on attention probabilities, [0, 1)");
    v("fused_attention", fused_attention, "reorder each sequence so that the STARS mask is the causal one ([USER], events, [USER*], padding) and attend causally: with LibTorch >= 2.0 through at::scaled_dot_product_attention(is_causal), which can use flash attention on CUDA, with 1.13 the ops written here; the same function at every non-pad position (docs/MODEL.md, GPU)");
    v("max_len", max_len, "most recent events the encoder reads, 1..4096");
    v("d_tag", d_tag, "width of the tag projection g_attr, >= 1");
    v("tag_proj", tag_proj, "tag projection g_attr: linear | mlp");
    v("max_tags", max_tags, "tags kept per item, >= 1");
    v("d_context", d_context, "width of each context-head embedding, >= 1");
    v("recency_buckets", recency_buckets, "log2-spaced buckets of the time since an event, >= 2");
    v("init_std", init_std, "std of the normal init of embeddings and linear weights, > 0");
    v("scale_input", scale_input, "multiply item tokens by sqrt(d_model)");
    v("use_text", use_text, "frozen text vector in the item token (ablation: no text)");
    v("use_tags", use_tags, "projected multi-hot tags in the item token (ablation: no tags)");
    v("use_delta", use_delta, "learned per-item offset Δ (ablation: no Δ)");
    v("use_context", use_context, "time/calendar/region/context-column embeddings (ablation: no context)");
    v("use_engagement", use_engagement, "engagement-type embedding (ablation: no engagement)");
    v("use_position", use_position, "learned position embedding");
    v("use_recency", use_recency, "embedding of the time since each event");
    v("use_user_token", use_user_token, "[USER] token from static features (ablation: single embedding)");
    v("use_context_head", use_context_head, "seasonal/context head o_t added to user vectors");
    v("head", head, "projection of h_gen/h_next to the serving space: linear | identity");
  }
  void validate() const;
};

// Named presets: "cpu" (the measured CPU default), "paper" (width 672, 4 layers, 8 heads, FF 3072, ReLU,
// dropout 0.1, length 200), "tiny" (for tests). Throws kInvalidArgument for an unknown name.
ModelConfig model_preset(const std::string& name);

}  // namespace stars::model
