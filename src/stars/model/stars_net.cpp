// The STARS network in LibTorch ops (paper §4.1-4.4); see stars_net.h for the equations. LibTorch 1.13 has
// no fused attention and its TransformerEncoderLayer is post-norm and sequence-first, so the pre-LN block
// and its masked attention are written here (tested against a naive reference in tests/model).
#include "stars/model/stars_net.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <dlfcn.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <type_traits>

#include "stars/core/error.h"
#include "stars/core/random.h"
#include "stars/model/compute_threads.h"
#include "stars/model/detail/attention_cpu.h"
#include "stars/model/detail/bag_sum.h"

namespace stars::model {

void set_compute_threads(int n) {
  STARS_CHECK_ARG(n >= 1, "thread count must be >= 1, got " << n);
  at::set_num_threads(n);
  // OpenBLAS found in the process (either build); looked up at run time so no link dependency is added.
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(n);
}

namespace nn = torch::nn;

namespace {

// (1, 1, L, L): key j <= query i.
at::Tensor causal_mask(int64_t L, const at::TensorOptions& options) {
  return at::ones({L, L}, options.dtype(at::kBool)).tril().view({1, 1, L, L});
}

detail::DropoutDraw dropout_draw(uint64_t state, double p) {
  detail::DropoutDraw d;
  d.s0 = state;
  d.threshold = static_cast<uint32_t>(std::lround(p * 65536.0));  // drop when 16 bits < threshold
  d.keep = static_cast<float>(1.0 / (1.0 - p));
  return d;
}

}  // namespace

at::Tensor DropoutSource::apply(const at::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat) return at::dropout(x, p, true);
  at::Tensor mask = at::empty(x.sizes(), x.options().requires_grad(false));
  float* m = mask.data_ptr<float>();
  const detail::DropoutDraw d = dropout_draw(next_state(), p);
  // Counter-based: element e's factor depends on (state, e) alone, so the threads draw what one would.
  at::parallel_for(0, mask.numel(), 1 << 15, [&](int64_t a, int64_t b) { detail::dropout_factors(d, a, b - a, m + a); });
  return x * mask;
}

at::Tensor masked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& allowed,
                            double dropout, bool training, DropoutSource* source) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);  // (B, H, L, L)
  scores.masked_fill_(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  at::Tensor p = at::softmax(scores, -1);
  if (training && dropout > 0.0) p = source ? source->apply(p, dropout, true) : at::dropout(p, dropout, true);
  return at::matmul(p, v);  // (B, H, L, dh)
}

namespace {

// attention_cpu's autograd function: saves qkv, the mask and the softmax P (what the written ops save, less the
// dropout mask, which backward draws again).
struct CpuAttention : public torch::autograd::Function<CpuAttention> {
  static detail::AttentionDims dims(const at::Tensor& qkv, const at::Tensor& allowed, int64_t heads) {
    detail::AttentionDims d;
    d.B = qkv.size(0);
    d.L = qkv.size(1);
    d.H = heads;
    d.dh = qkv.size(2) / (3 * heads);
    d.mask_stride = allowed.size(0) == 1 ? 0 : d.L * d.L;
    d.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d.dh)));
    return d;
  }
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qkv, const at::Tensor& allowed, int64_t heads,
                            int64_t state, int64_t threshold, double keep, bool keep_p) {
    RECORD_FUNCTION("stars::attention_cpu", std::vector<c10::IValue>());  // named in profiles, as the backward node is
    const detail::AttentionDims d = dims(qkv, allowed, heads);
    const detail::DropoutDraw drop{static_cast<uint64_t>(state), static_cast<uint32_t>(threshold), static_cast<float>(keep)};
    // The softmax is kept for backward only (at inference with L = 202 and 256 rows it is 84 MB per layer).
    at::Tensor P = keep_p ? at::empty({d.B, d.H, d.L, d.L}, qkv.options()) : at::Tensor();  // (B, H, L, L)
    at::Tensor out = at::empty({d.B, d.L, d.H * d.dh}, qkv.options());                      // (B, L, D)
    const float* x = qkv.data_ptr<float>();
    const bool* m = allowed.data_ptr<bool>();
    float *pp = keep_p ? P.data_ptr<float>() : nullptr, *op = out.data_ptr<float>();
    std::atomic<int64_t> empty_rows{0};
    at::parallel_for(0, d.B * d.H, 1, [&](int64_t a, int64_t b) { empty_rows += detail::attention_forward(d, x, m, drop, pp, op, a, b); });
    STARS_CHECK_ARG(empty_rows == 0, "attention_cpu: " << empty_rows / d.H << " query positions of the mask may attend no key");
    ctx->save_for_backward({qkv, allowed, P});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["state"] = state;
    ctx->saved_data["threshold"] = threshold;
    ctx->saved_data["keep"] = keep;
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grad) {
    // The kernel's gradient is not itself differentiable (grad mode is on here only under create_graph).
    STARS_CHECK_ARG(!at::GradMode::is_enabled(), "attention_cpu: no second-order gradients (create_graph); use masked_attention");
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &qkv = saved[0], &allowed = saved[1], &P = saved[2];
    const detail::AttentionDims d = dims(qkv, allowed, ctx->saved_data["heads"].toInt());
    const detail::DropoutDraw drop{static_cast<uint64_t>(ctx->saved_data["state"].toInt()),
                                   static_cast<uint32_t>(ctx->saved_data["threshold"].toInt()),
                                   static_cast<float>(ctx->saved_data["keep"].toDouble())};
    const at::Tensor dout = grad[0].contiguous();
    at::Tensor dqkv = at::empty_like(qkv);
    const float *x = qkv.data_ptr<float>(), *pp = P.data_ptr<float>(), *go = dout.data_ptr<float>();
    const bool* m = allowed.data_ptr<bool>();
    float* gx = dqkv.data_ptr<float>();
    at::parallel_for(0, d.B * d.H, 1, [&](int64_t a, int64_t b) { detail::attention_backward(d, x, m, drop, pp, go, gx, a, b); });
    return {dqkv, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor attention_cpu(const at::Tensor& qkv, int64_t heads, const at::Tensor& allowed, double dropout, bool training,
                         DropoutSource* source) {
  STARS_CHECK_ARG(qkv.device().is_cpu() && qkv.scalar_type() == at::kFloat && qkv.dim() == 3,
                  "attention_cpu: qkv must be a (B, L, 3 D) float32 CPU tensor, got " << qkv.sizes() << " " << qkv.scalar_type());
  STARS_CHECK_ARG(heads >= 1 && qkv.size(2) % (3 * heads) == 0 && qkv.size(2) > 0,
                  "attention_cpu: width " << qkv.size(2) << " is not 3 x " << heads << " heads x a head size");
  const int64_t B = qkv.size(0), L = qkv.size(1);
  STARS_CHECK_ARG(allowed.scalar_type() == at::kBool && allowed.dim() == 4 && (allowed.size(0) == B || allowed.size(0) == 1) &&
                      allowed.size(1) == 1 && allowed.size(2) == L && allowed.size(3) == L,
                  "attention_cpu: the mask must be bool (" << B << " or 1, 1, " << L << ", " << L << "), got " << allowed.sizes() << " "
                                                             << allowed.scalar_type());
  STARS_CHECK_ARG(!training || dropout <= 0.0 || source != nullptr, "attention_cpu: dropout needs a DropoutSource");
  const bool drop = training && dropout > 0.0;
  const detail::DropoutDraw d = drop ? dropout_draw(source->next_state(), dropout) : detail::DropoutDraw{};
  // (Inside the autograd function's forward grad mode is off: whether a backward can follow is known only here.)
  const bool backward_follows = at::GradMode::is_enabled() && qkv.requires_grad();
  return CpuAttention::apply(qkv.contiguous(), allowed.contiguous(), heads, static_cast<int64_t>(d.s0),
                             static_cast<int64_t>(d.threshold), static_cast<double>(d.keep), backward_follows);
}

at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double dropout, bool training,
                            DropoutSource* source) {
#if TORCH_VERSION_MAJOR >= 2
  (void)source;
  return at::scaled_dot_product_attention(q, k, v, {}, training ? dropout : 0.0, /*is_causal=*/true);
#else
  return masked_attention(q, k, v, causal_mask(q.size(2), q.options()), dropout, training, source);
#endif
}

at::Tensor stars_attention_mask(const at::Tensor& valid, bool user_token) {
  const int64_t B = valid.size(0), T = valid.size(1);
  const auto bopt = valid.options().dtype(at::kBool);
  const at::Tensor vb = valid.to(at::kBool);
  const at::Tensor causal = at::ones({T, T}, bopt).tril();                     // (T, T): key j <= query i
  const at::Tensor eye_t = at::eye(T, bopt);
  at::Tensor slots = causal.unsqueeze(0).logical_and(vb.unsqueeze(1)).logical_or(eye_t.unsqueeze(0));  // (B, T, T)
  if (!user_token) return slots.unsqueeze(1);
  const int64_t L = T + 2;
  at::Tensor m = at::zeros({B, L, L}, bopt);
  m.index_put_({at::indexing::Slice(), at::indexing::Slice(), 0}, true);        // everyone sees [USER]
  m.index_put_({at::indexing::Slice(), at::indexing::Slice(1, T + 1), at::indexing::Slice(1, T + 1)}, slots);
  m.index_put_({at::indexing::Slice(), T + 1, at::indexing::Slice(1, T + 1)}, vb);  // [USER*] sees every valid slot
  m.index_put_({at::indexing::Slice(), 0, at::indexing::Slice(1, L)}, false);       // [USER] sees only itself
  m.index_put_({at::indexing::Slice(), T + 1, T + 1}, true);
  return m.unsqueeze(1);
}

at::Tensor causal_order(const at::Tensor& valid, bool user_token) {
  const int64_t B = valid.size(0), T = valid.size(1), L = user_token ? T + 2 : T;
  const auto lopt = valid.options().dtype(at::kLong);
  // Sort keys: a valid slot keeps its place, a pad slot goes after every other position.
  const at::Tensor at_slot = at::arange(user_token ? 1 : 0, user_token ? T + 1 : T, lopt).unsqueeze(0).expand({B, T});
  at::Tensor key = at::where(valid.to(at::kBool), at_slot, at_slot + 2 * L);
  if (user_token) key = at::cat({at::zeros({B, 1}, lopt), key, at::full({B, 1}, T + 1, lopt)}, 1);
  return std::get<1>(at::sort(key, 1));
}

namespace {

// Row sums of x (R, d) float over the CSR bags (offsets (bags + 1), idx): (bags, d).
at::Tensor bag_sums(const at::Tensor& x, const at::Tensor& offsets, const at::Tensor& idx) {
  const at::Tensor xc = x.contiguous();
  const int64_t bags = offsets.numel() - 1, d = x.size(1);
  at::Tensor out = at::empty({bags, d}, x.options());
  const float* xp = xc.data_ptr<float>();
  const int64_t *op = offsets.data_ptr<int64_t>(), *ip = idx.data_ptr<int64_t>();
  float* out_p = out.data_ptr<float>();
  at::parallel_for(0, bags, std::max<int64_t>(1, 8192 / std::max<int64_t>(d, 1)),
                   [&](int64_t b0, int64_t b1) { detail::bag_sum(xp, d, op, ip, b0, b1, out_p); });
  return out;
}

// The catalog's tag sums A W on CPU (float), A the constant (items x tags) multi-hot matrix given as bags of tags
// per item; backward is Aᵀ dG through the bags of items per tag, where embedding_bag's CPU backward sorts every
// index on every step.
struct CatalogTagSum : public torch::autograd::Function<CatalogTagSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& W, const at::Tensor& item_off,
                            const at::Tensor& item_tags, const at::Tensor& tag_off, const at::Tensor& tag_items) {
    ctx->save_for_backward({tag_off, tag_items});
    return bag_sums(W, item_off, item_tags);  // (N, d_tag)
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto s = ctx->get_saved_variables();
    return {bag_sums(grad[0], s[0], s[1]), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};  // (num_tags + 1, d_tag)
  }
};

// The tag sums of some items (ids, (n)) on CPU (float): each item's bag of tags from the catalog's CSR
// (offsets (N + 1), tags), summed from W; backward through the transposed bags of these items, built per call.
// Where the padded path gathers an (n, tag slots, d_tag) tensor and embedding's backward sorts every slot.
struct SubsetTagSum : public torch::autograd::Function<SubsetTagSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& W, const at::Tensor& ids, const at::Tensor& offsets,
                            const at::Tensor& tags) {
    const at::Tensor idc = ids.contiguous();
    const int64_t n = idc.numel(), N = offsets.numel() - 1;
    const int64_t *ip = idc.data_ptr<int64_t>(), *op = offsets.data_ptr<int64_t>(), *tp = tags.data_ptr<int64_t>();
    at::Tensor sub_off = at::empty({n + 1}, offsets.options());
    int64_t* so = sub_off.data_ptr<int64_t>();
    so[0] = 0;
    for (int64_t i = 0; i < n; ++i) {
      STARS_CHECK_ARG(ip[i] >= 0 && ip[i] < N, "item id " << ip[i] << " at " << i << " outside the catalog of " << N);
      so[i + 1] = so[i] + op[ip[i] + 1] - op[ip[i]];
    }
    at::Tensor sub_tags = at::empty({so[n]}, tags.options());
    int64_t* st = sub_tags.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i) std::copy(tp + op[ip[i]], tp + op[ip[i] + 1], st + so[i]);
    ctx->save_for_backward({sub_off, sub_tags});
    ctx->saved_data["rows"] = W.size(0);
    return bag_sums(W, sub_off, sub_tags);  // (n, d_tag)
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grad) {
    const auto s = ctx->get_saved_variables();
    const int64_t n = s[0].numel() - 1, rows = ctx->saved_data["rows"].toInt();
    std::vector<int64_t> t_off, t_items;
    detail::transpose_bags(s[0].data_ptr<int64_t>(), s[1].data_ptr<int64_t>(), n, rows, &t_off, &t_items);
    return {bag_sums(grad[0], to_tensor_view(t_off), to_tensor_view(t_items)), at::Tensor(), at::Tensor(), at::Tensor()};  // (rows, d_tag)
  }
  // A tensor over v's data, valid while v lives.
  static at::Tensor to_tensor_view(std::vector<int64_t>& v) {
    return torch::from_blob(v.data(), {static_cast<int64_t>(v.size())}, torch::kInt64);
  }
};

struct BlockImpl : nn::Module {
  BlockImpl(int d, int h, int ff) : heads(h) {
    ln1 = register_module("ln1", nn::LayerNorm(nn::LayerNormOptions({d})));
    qkv = register_module("qkv", nn::Linear(d, 3 * d));
    out = register_module("out", nn::Linear(d, d));
    ln2 = register_module("ln2", nn::LayerNorm(nn::LayerNormOptions({d})));
    ff1 = register_module("ff1", nn::Linear(d, ff));
    ff2 = register_module("ff2", nn::Linear(ff, d));
  }
  // x: (B, L, D), allowed: (B, 1, L, L), or undefined for causal attention (positions in causal_order)
  at::Tensor forward(const at::Tensor& x, const at::Tensor& allowed, double drop, double attn_drop, bool gelu,
                     DropoutSource* ds) {
    const int64_t B = x.size(0), L = x.size(1), D = x.size(2), dh = D / heads;
    const at::Tensor y = qkv->forward(ln1->forward(x));  // (B, L, 3D)
    at::Tensor a;                                        // (B, L, D)
    if (y.device().is_cpu() && y.scalar_type() == at::kFloat && (allowed.defined() || TORCH_VERSION_MAJOR < 2)) {
      // (With LibTorch 1.13 causal attention is this kernel under the causal mask.)
      a = attention_cpu(y, heads, allowed.defined() ? allowed : causal_mask(L, y.options()), attn_drop, is_training(), ds);
    } else {
      const at::Tensor qkv_h = y.view({B, L, 3, heads, dh}).permute({2, 0, 3, 1, 4});  // (3, B, H, L, dh)
      a = allowed.defined() ? masked_attention(qkv_h[0], qkv_h[1], qkv_h[2], allowed, attn_drop, is_training(), ds)
                            : causal_attention(qkv_h[0], qkv_h[1], qkv_h[2], attn_drop, is_training(), ds);
      a = a.transpose(1, 2).reshape({B, L, D});
    }
    at::Tensor h = x + ds->apply(out->forward(a), drop, is_training());
    at::Tensor f = ff1->forward(ln2->forward(h));
    f = gelu ? at::gelu(f) : at::relu(f);
    f = ff2->forward(ds->apply(f, drop, is_training()));
    return h + ds->apply(f, drop, is_training());
  }
  int64_t heads;
  nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  nn::Linear qkv{nullptr}, out{nullptr}, ff1{nullptr}, ff2{nullptr};
};
TORCH_MODULE(Block);

at::Tensor to_tensor(const std::vector<int64_t>& v, const std::vector<int64_t>& shape) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), shape, torch::kInt64).clone();
}
at::Tensor to_tensor(const std::vector<int64_t>& v) { return to_tensor(v, {static_cast<int64_t>(v.size())}); }
at::Tensor to_float_tensor(const std::vector<float>& v) {
  return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat32).clone();
}


}  // namespace

struct StarsNet::Impl : nn::Module {
  ModelConfig cfg;
  FeatureSchema schema;
  int64_t D = 0, d_tok = 0, d_delta = 0, n_tag_slots = 0;
  bool sparse_delta = false;  // set_sparse_delta_grad
  bool text_on = false, tags_on = false, delta_on = false, time_on = false, ctx_head = false, cal_on = false;
  at::Tensor text;        // (N, text_dim) frozen
  at::Tensor tag_matrix;  // (N, n_tag_slots) int64, padded with num_tags
  at::Tensor tag_flat, tag_offsets;  // the same tags as CSR (bag per item, N + 1 offsets) for whole-catalog passes
  at::Tensor tag_bag_off, tag_bag_items;  // CPU: the transposed bags (items per tag)
  nn::Embedding delta{nullptr}, tag_emb{nullptr}, pos{nullptr}, type{nullptr}, hour{nullptr}, dow{nullptr}, week{nullptr},
      region{nullptr}, recency{nullptr};
  nn::EmbeddingBag cal{nullptr};
  nn::ModuleList ctx_embs{nullptr}, user_cats{nullptr}, blocks{nullptr};
  at::Tensor tag_bias, user_base, user_pool;
  nn::Linear tag_mlp{nullptr}, in_proj{nullptr}, user_num{nullptr}, head_next{nullptr}, head_gen{nullptr}, ctx_w{nullptr};
  nn::Linear cold1{nullptr}, cold2{nullptr};
  at::Tensor cold_prior;  // (N) fixed logit prior of the cold-user head, or undefined
  nn::LayerNorm ln_f{nullptr};
  nn::Embedding ch_hour{nullptr}, ch_dow{nullptr}, ch_week{nullptr}, ch_region{nullptr};
  nn::EmbeddingBag ch_cal{nullptr};
  DropoutSource dropout;

  Impl(const ModelConfig& c, const FeatureSchema& s, const ItemContent& content) : cfg(c), schema(s) {
    cfg.validate();
    STARS_CHECK_ARG(content.num_items == s.num_items, "item content has " << content.num_items << " items, the schema " << s.num_items);
    // Resolve switches against the data.
    cfg.use_text = cfg.use_text && content.has_text();
    cfg.use_tags = cfg.use_tags && content.has_tags() && s.num_tags > 0;
    if (!cfg.use_text && !cfg.use_tags) cfg.use_delta = true;  // an item needs some representation
    time_on = s.has_time;
    cfg.use_engagement = cfg.use_engagement && s.has_event_types;
    cfg.use_recency = cfg.use_recency && time_on;
    const bool any_context = time_on || s.num_regions > 1 || s.num_context() > 0;
    cfg.use_context = cfg.use_context && any_context;
    cfg.use_context_head = cfg.use_context_head && (time_on || s.num_regions > 1);
    text_on = cfg.use_text;
    tags_on = cfg.use_tags;
    delta_on = cfg.use_delta;
    ctx_head = cfg.use_context_head;
    cal_on = cfg.use_context && time_on && s.num_calendar_events > 0;
    D = cfg.d_model;
    const int64_t N = s.num_items;

    // Item tower.
    if (text_on) {
      text = torch::from_blob(const_cast<float*>(content.text.data()), {N, content.text_dim}, torch::kFloat32).clone();
      d_delta = content.text_dim;
      d_tok += content.text_dim;
    } else if (delta_on) {
      d_delta = D;
      d_tok += d_delta;
    }
    if (delta_on) delta = register_module("delta", nn::Embedding(N, d_delta));
    if (tags_on) {
      int64_t most = 0;
      for (int32_t i = 0; i < N; ++i) most = std::max<int64_t>(most, content.tags_of(i).size());
      n_tag_slots = std::max<int64_t>(1, std::min<int64_t>(most, cfg.max_tags));
      // The same tags twice: padded rows for gathers of a few items, CSR bags for whole-catalog passes.
      std::vector<int64_t> m(static_cast<size_t>(N) * n_tag_slots, s.num_tags), flat, off;
      for (int32_t i = 0; i < N; ++i) {
        off.push_back(static_cast<int64_t>(flat.size()));
        auto t = content.tags_of(i);
        for (size_t j = 0; j < t.size() && static_cast<int64_t>(j) < n_tag_slots; ++j) {
          m[i * n_tag_slots + j] = t[j];
          flat.push_back(t[j]);
        }
      }
      tag_matrix = to_tensor(m, {N, n_tag_slots});
      tag_flat = to_tensor(flat);
      off.push_back(static_cast<int64_t>(flat.size()));
      tag_offsets = to_tensor(off);
      std::vector<int64_t> t_off, t_items;
      detail::transpose_bags(off.data(), flat.data(), N, s.num_tags + 1, &t_off, &t_items);
      tag_bag_off = to_tensor(t_off);
      tag_bag_items = to_tensor(t_items);
      tag_emb = register_module("tag_emb", nn::Embedding(nn::EmbeddingOptions(s.num_tags + 1, cfg.d_tag).padding_idx(s.num_tags)));
      tag_bias = register_parameter("tag_bias", torch::zeros({cfg.d_tag}));
      if (cfg.tag_proj == "mlp") tag_mlp = register_module("tag_mlp", nn::Linear(cfg.d_tag, cfg.d_tag));
      d_tok += cfg.d_tag;
    }
    const bool pure_id = !text_on && !tags_on && d_tok == D;
    if (!pure_id) in_proj = register_module("in_proj", nn::Linear(d_tok, D));

    // Slot features.
    if (cfg.use_position) pos = register_module("pos", nn::Embedding(cfg.max_len, D));
    if (cfg.use_engagement) type = register_module("type", nn::Embedding(4, D));
    if (cfg.use_context && time_on) {
      hour = register_module("hour", nn::Embedding(24, D));
      dow = register_module("dow", nn::Embedding(7, D));
      week = register_module("week", nn::Embedding(53, D));
    }
    if (cfg.use_context && s.num_regions > 1) region = register_module("region", nn::Embedding(s.num_regions, D));
    if (cfg.use_context && s.num_context() > 0) {
      ctx_embs = register_module("ctx", nn::ModuleList());
      for (int f = 0; f < s.num_context(); ++f) ctx_embs->push_back(nn::Embedding(s.context_sizes[f], D));
    }
    if (cal_on) cal = register_module("cal", nn::EmbeddingBag(nn::EmbeddingBagOptions(s.num_calendar_events, D).mode(torch::kSum)));
    if (cfg.use_recency) recency = register_module("recency", nn::Embedding(cfg.recency_buckets, D));

    // [USER] token.
    if (cfg.use_user_token) {
      user_base = register_parameter("user_base", torch::zeros({D}));
      user_pool = register_parameter("user_pool", torch::zeros({D}));
      if (s.num_user_numeric() > 0) user_num = register_module("user_num", nn::Linear(2 * s.num_user_numeric(), D));
      if (s.num_user_categorical() > 0) {
        user_cats = register_module("user_cat", nn::ModuleList());
        for (int f = 0; f < s.num_user_categorical(); ++f) user_cats->push_back(nn::Embedding(s.user_categorical_sizes[f], D));
      }
    }

    blocks = register_module("blocks", nn::ModuleList());
    for (int l = 0; l < cfg.n_layers; ++l) blocks->push_back(Block(static_cast<int>(D), cfg.n_heads, cfg.d_ff));
    ln_f = register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({D})));
    if (cfg.head == "linear") {
      head_next = register_module("head_next", nn::Linear(D, D));
      head_gen = register_module("head_gen", nn::Linear(D, D));
    }

    if (ctx_head) {
      int64_t parts = 0;
      const int dc = cfg.d_context;
      if (time_on) {
        ch_hour = register_module("ch_hour", nn::Embedding(24, dc));
        ch_dow = register_module("ch_dow", nn::Embedding(7, dc));
        ch_week = register_module("ch_week", nn::Embedding(53, dc));
        parts += 3;
      }
      if (s.num_regions > 1) {
        ch_region = register_module("ch_region", nn::Embedding(s.num_regions, dc));
        ++parts;
      }
      if (time_on && s.num_calendar_events > 0) {
        ch_cal = register_module("ch_cal", nn::EmbeddingBag(nn::EmbeddingBagOptions(s.num_calendar_events, dc).mode(torch::kSum)));
        ++parts;
      }
      ctx_w = register_module("ctx_w", nn::Linear(nn::LinearOptions(parts * dc, D).bias(false)));
    }
    // The cold-user head, registered last so that every other weight starts as without it.
    if (cfg.use_user_token && s.has_user_features()) {
      cold1 = register_module("cold_user1", nn::Linear(D, D));
      cold2 = register_module("cold_user2", nn::Linear(D, D));
    }
  }

  void init_weights(uint64_t seed) {
    torch::NoGradGuard ng;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const double std = cfg.init_std;
    const double resid_std = std / std::sqrt(2.0 * cfg.n_layers);  // residual projections (GPT-2 style)
    for (auto& kv : named_modules("", false)) {
      nn::Module* m = kv.value().get();
      const std::string& name = kv.key();
      if (auto* lin = m->as<nn::Linear>()) {
        const bool resid = name.size() >= 4 && (name.compare(name.size() - 4, 4, ".out") == 0 || name.compare(name.size() - 4, 4, ".ff2") == 0);
        lin->weight.normal_(0.0, resid ? resid_std : std, gen);
        if (lin->bias.defined()) lin->bias.zero_();
      } else if (auto* e = m->as<nn::Embedding>()) {
        e->weight.normal_(0.0, std, gen);
      } else if (auto* eb = m->as<nn::EmbeddingBag>()) {
        eb->weight.normal_(0.0, std, gen);
      } else if (auto* ln = m->as<nn::LayerNorm>()) {
        ln->weight.fill_(1.0);
        ln->bias.zero_();
      }
    }
    if (delta_on && text_on) delta->weight.zero_();  // Δ starts at zero: the item token is the text vector at first
    if (tags_on) tag_emb->weight[schema.num_tags].zero_();
  }

  // x: (n, D) item tokens from ids (n).
  at::Tensor item_tower(const at::Tensor& ids) {
    std::vector<at::Tensor> parts;
    if (text_on) {
      at::Tensor t = text.index_select(0, ids);
      if (delta_on) t = t + delta_rows(ids);
      parts.push_back(t);
    } else if (delta_on) {
      parts.push_back(delta_rows(ids));
    }
    if (tags_on) {
      const at::Tensor& W = tag_emb->weight;
      parts.push_back(W.is_cpu() && W.scalar_type() == at::kFloat ? tag_head(SubsetTagSum::apply(W, ids, tag_offsets, tag_flat))
                                                                  : tag_part(tag_matrix.index_select(0, ids)));
    }
    at::Tensor x = parts.size() == 1 ? parts[0] : at::cat(parts, 1);
    return in_proj ? in_proj->forward(x) : x;
  }
  // Δ's rows `ids` (n, d_delta); their gradient is sparse (the rows only) when sparse_delta is on.
  at::Tensor delta_rows(const at::Tensor& ids) {
    return sparse_delta ? at::embedding(delta->weight, ids, -1, false, /*sparse=*/true) : delta->forward(ids);
  }
  // (n, d_tag) = W · multi-hot + b, then the optional MLP, from the tag ids padded to (n, tag slots).
  at::Tensor tag_part(const at::Tensor& tag_mat) { return tag_head(tag_emb->forward(tag_mat).sum(1)); }
  at::Tensor tag_head(const at::Tensor& tag_sum) {
    at::Tensor g = tag_sum + tag_bias;
    if (tag_mlp) g = tag_mlp->forward(at::relu(g));
    return g;
  }
  // The whole catalog (N, D) without gathers: text + Δ table, tags as one bag per item.
  at::Tensor all_items() {
    if (!text_on && !tags_on && !in_proj) return delta->weight;
    std::vector<at::Tensor> parts;
    if (text_on) parts.push_back(delta_on ? text + delta->weight : text);
    else if (delta_on) parts.push_back(delta->weight);
    if (tags_on) {
      const at::Tensor& W = tag_emb->weight;
      at::Tensor g = W.is_cpu() && W.scalar_type() == at::kFloat
                         ? CatalogTagSum::apply(W, tag_offsets, tag_flat, tag_bag_off, tag_bag_items)
                         : torch::nn::functional::embedding_bag(
                               tag_flat, W,
                               torch::nn::functional::EmbeddingBagFuncOptions().offsets(tag_offsets).mode(torch::kSum).include_last_offset(true));
      parts.push_back(tag_head(g));
    }
    at::Tensor x = parts.size() == 1 ? parts[0] : at::cat(parts, 1);
    return in_proj ? in_proj->forward(x) : x;
  }
  at::Device device_of() {
    for (const auto& p : parameters()) return p.device();
    return at::Device(at::kCPU);
  }

  at::Tensor context_offset(const at::Tensor& hour_i, const at::Tensor& dow_i, const at::Tensor& week_i,
                            const at::Tensor& region_i, const at::Tensor& cal_ids, const at::Tensor& cal_off) {
    std::vector<at::Tensor> parts;
    if (ch_hour) {
      parts.push_back(ch_hour->forward(hour_i));
      parts.push_back(ch_dow->forward(dow_i));
      parts.push_back(ch_week->forward(week_i));
    }
    if (ch_region) parts.push_back(ch_region->forward(region_i));
    if (ch_cal) {
      if (cal_off.defined() && cal_off.numel() == hour_i.numel()) {
        parts.push_back(ch_cal->forward(cal_ids, cal_off));
      } else {
        parts.push_back(torch::zeros({hour_i.numel(), cfg.d_context}, ch_cal->weight.options()));
      }
    }
    return ctx_w->forward(at::cat(parts, -1));
  }

  // A batch that touches most of the catalog is cheaper as one whole-catalog pass (no padded tag gathers).
  bool reads_all_items(int64_t batch_items) const { return batch_items * 2 > schema.num_items; }

  NetOutputs forward(const BatchTensors& b, const at::Tensor* table) {
    const int64_t B = b.B, T = b.T;
    const bool tr = is_training();
    NetOutputs out;
    if (table) {
      out.items = b.uniq.defined() ? table->index_select(0, b.uniq) : *table;
    } else {
      if (!b.uniq.defined()) out.items = all_items();
      else if (reads_all_items(b.uniq.numel())) out.items = all_items().index_select(0, b.uniq);
      else out.items = item_tower(b.uniq);
    }
    at::Tensor x = out.items.index_select(0, b.item_local.view({-1})).view({B, T, D});  // (B, T, D)
    if (cfg.scale_input) x = x * std::sqrt(static_cast<double>(D));
    if (pos) {
      const at::Tensor p = torch::arange(T - 1, -1, -1, torch::TensorOptions().dtype(torch::kInt64).device(x.device()))
                               .clamp_max(cfg.max_len - 1);
      x = x + pos->forward(p).unsqueeze(0);
    }
    if (type) x = x + type->forward(b.type);
    if (hour) x = x + hour->forward(b.hour) + dow->forward(b.dow) + week->forward(b.week);
    if (region) x = x + region->forward(b.region);
    if (ctx_embs) {
      for (size_t f = 0; f < ctx_embs->size(); ++f) x = x + ctx_embs[f]->as<nn::Embedding>()->forward(b.context[f]);
    }
    if (cal && b.cal_offsets.defined() && b.cal_offsets.numel() == B * T) x = x + cal->forward(b.cal_ids, b.cal_offsets).view({B, T, D});
    if (recency) x = x + recency->forward(b.recency);
    const at::Tensor valid_f = b.valid.unsqueeze(-1).to(x.scalar_type());
    x = x * valid_f;

    at::Tensor seq, u;
    const bool user = cfg.use_user_token;
    if (user) {
      u = user_base.unsqueeze(0).expand({B, D});
      if (user_num) u = u + user_num->forward(b.user_num);
      if (user_cats) {
        for (size_t f = 0; f < user_cats->size(); ++f) u = u + user_cats[f]->as<nn::Embedding>()->forward(b.user_cat.select(1, f));
      }
      seq = at::cat({u.unsqueeze(1), x, (u + user_pool).unsqueeze(1)}, 1);  // (B, L, D)
    } else {
      seq = x;
    }
    seq = dropout.apply(seq, cfg.dropout, tr);
    // With fused_attention the positions are put in causal_order, where the STARS mask is the causal one, and
    // put back after the blocks: the same function at every non-pad position, through one fused kernel.
    at::Tensor allowed, order;
    if (cfg.fused_attention) {
      order = causal_order(b.valid, user).unsqueeze(2).expand({B, seq.size(1), D});
      seq = seq.gather(1, order);
    } else {
      allowed = stars_attention_mask(b.valid, user);
    }
    const bool gelu = cfg.activation == "gelu";
    for (size_t l = 0; l < blocks->size(); ++l)
      seq = blocks[l]->as<BlockImpl>()->forward(seq, allowed, cfg.dropout, cfg.attn_dropout, gelu, &dropout);
    seq = ln_f->forward(seq);
    if (order.defined()) seq = at::zeros_like(seq).scatter(1, order, seq);
    at::Tensor h_slots = user ? seq.narrow(1, 1, T) : seq;                // (B, T, D)
    at::Tensor h_pool = user ? seq.select(1, T + 1) : seq.select(1, T - 1);  // (B, D)
    out.h_next = head_next ? head_next->forward(h_slots) : h_slots;
    out.h_gen = head_gen ? head_gen->forward(h_pool) : h_pool;
    // A user without events: a small network of the [USER] token, the static features alone. The cold-user
    // loss trains this head and the feature embeddings, nothing else of the encoder (train/losses.cpp).
    if (cold1) out.h_user = cold2->forward(at::relu(cold1->forward(u)));
    return out;
  }
};

StarsNet::StarsNet(const ModelConfig& config, const FeatureSchema& schema, const ItemContent& content, uint64_t seed)
    : impl_(std::make_unique<Impl>(config, schema, content)) {
  impl_->init_weights(seed);
}
StarsNet::~StarsNet() = default;

const ModelConfig& StarsNet::config() const { return impl_->cfg; }
const FeatureSchema& StarsNet::schema() const { return impl_->schema; }
int StarsNet::serving_dim() const { return static_cast<int>(impl_->D); }
bool StarsNet::has_context_head() const { return impl_->ctx_head; }
bool StarsNet::trains_cold_users(double weight) const { return weight > 0 && impl_->cold1; }

void StarsNet::set_cold_user_prior(const std::vector<float>& prior) {
  if (prior.empty()) {
    impl_->cold_prior = at::Tensor();
    return;
  }
  STARS_CHECK_ARG(prior.size() == static_cast<size_t>(impl_->schema.num_items),
                  "cold-user prior of " << prior.size() << " items for a model of " << impl_->schema.num_items);
  impl_->cold_prior = to_float_tensor(prior).to(impl_->device_of());
}
void StarsNet::zero_cold_user_head() {
  STARS_CHECK(impl_->cold2, "zero_cold_user_head: the model has no cold-user head");
  torch::NoGradGuard ng;
  impl_->cold2->weight.zero_();
  impl_->cold2->bias.zero_();
}
at::Tensor StarsNet::cold_user_prior() const { return impl_->cold1 ? impl_->cold_prior : at::Tensor(); }

std::pair<at::Tensor, at::Tensor> final_user_vectors(const NetOutputs& o, const std::vector<int64_t>& no_events) {
  const at::Tensor gen = o.h_gen, next = o.h_next.select(1, o.h_next.size(1) - 1);
  if (no_events.empty() || !o.h_user.defined()) return {gen, next};
  const at::Tensor rows =
      torch::from_blob(const_cast<int64_t*>(no_events.data()), {static_cast<int64_t>(no_events.size())}, torch::kInt64)
          .to(gen.device());
  const at::Tensor hu = o.h_user.index_select(0, rows);
  return {gen.index_copy(0, rows, hu), next.index_copy(0, rows, hu)};
}
int StarsNet::tag_slots() const { return static_cast<int>(impl_->n_tag_slots); }

int64_t StarsNet::num_parameters() const {
  int64_t n = 0;
  for (const auto& p : impl_->parameters()) n += p.numel();
  return n;
}

void StarsNet::set_training(bool on) { impl_->train(on); }
void StarsNet::set_dropout_seed(uint64_t seed) { impl_->dropout.reseed(seed); }
void StarsNet::set_sparse_delta_grad(bool on) { impl_->sparse_delta = on; }
bool StarsNet::reads_all_items(const TokenBatch& batch) const {
  return batch.uniq.empty() || impl_->reads_all_items(static_cast<int64_t>(batch.uniq.size()));
}

void StarsNet::to_device(const std::string& device) {
  const torch::Device d(device);
  impl_->to(d);
  if (impl_->text.defined()) impl_->text = impl_->text.to(d);
  if (impl_->cold_prior.defined()) impl_->cold_prior = impl_->cold_prior.to(d);
  if (impl_->tag_matrix.defined()) {
    impl_->tag_matrix = impl_->tag_matrix.to(d);
    impl_->tag_flat = impl_->tag_flat.to(d);
    impl_->tag_offsets = impl_->tag_offsets.to(d);
  }
}

at::Device StarsNet::device() const { return impl_->device_of(); }

namespace {

// Moves a batch's host arrays to the network's device as one buffer: each array is copied into one host block
// (pinned on a GPU) at an 8-byte aligned offset, the block goes to the device in one copy, and every field is a
// view of it: one pinned allocation, one copy and no parallel CPU copy per batch. Moving the ~30 fields one by
// one (clone, pin, copy each) kept the host 0.14 s a step in this function on an H200 with LibTorch 2.11
// (bench/train/gpu_bench.sh, 2026-11-27), about twice the reference's whole step.
class BatchPacker {
 public:
  // The tensor's element type follows the array's: int64 ids, float values, uint8 0/1 flags as bool.
  template <typename T>
  void add(at::Tensor* dst, const std::vector<T>& v, std::vector<int64_t> shape) {
    static_assert(std::is_same<T, int64_t>::value || std::is_same<T, float>::value || std::is_same<T, uint8_t>::value,
                  "batch arrays are int64, float or uint8 flags");
    const at::ScalarType type = std::is_same<T, int64_t>::value ? at::kLong : std::is_same<T, float>::value ? at::kFloat : at::kBool;
    fields_.push_back({dst, v.data(), v.size() * sizeof(T), total_, type, std::move(shape)});
    total_ += (v.size() * sizeof(T) + 7) / 8 * 8;
  }
  template <typename T>
  void add(at::Tensor* dst, const std::vector<T>& v) {
    add(dst, v, {static_cast<int64_t>(v.size())});
  }
  void move_to(const at::Device& dev) {
    at::TensorOptions opt = at::TensorOptions().dtype(at::kByte);
    if (!dev.is_cpu()) opt = opt.pinned_memory(true);
    const at::Tensor host = at::empty({static_cast<int64_t>(std::max<size_t>(total_, 8))}, opt);
    uint8_t* p = host.data_ptr<uint8_t>();
    for (const Field& f : fields_)
      if (f.bytes > 0) std::memcpy(p + f.offset, f.src, f.bytes);
    // Non-blocking from pinned memory: queued behind the previous step's kernels; the caching host allocator
    // keeps the block until the copy is done.
    const at::Tensor buf = dev.is_cpu() ? host : host.to(dev, /*non_blocking=*/true);
    for (const Field& f : fields_)
      *f.dst = buf.narrow(0, static_cast<int64_t>(f.offset), static_cast<int64_t>(f.bytes)).view(f.type).view(f.shape);
  }

 private:
  struct Field {
    at::Tensor* dst;
    const void* src;
    size_t bytes, offset;
    at::ScalarType type;
    std::vector<int64_t> shape;
  };
  std::vector<Field> fields_;
  size_t total_ = 0;
};

}  // namespace

BatchTensors StarsNet::make_tensors(const TokenBatch& b) const {
  BatchTensors t;
  t.B = b.B;
  t.T = b.T;
  const int64_t B = b.B, T = b.T;
  // Rows with a selected target (row_target[r] >= 0), those targets, and each target's place among them.
  const auto select = [&](const std::vector<int64_t>& row_target, std::vector<int64_t>* rows, std::vector<int64_t>* targets,
                          std::vector<int64_t>* pos) {
    pos->assign(static_cast<size_t>(b.n_targets), -1);
    for (int64_t r = 0; r < static_cast<int64_t>(row_target.size()); ++r) {
      if (row_target[r] < 0) continue;
      (*pos)[static_cast<size_t>(row_target[r])] = static_cast<int64_t>(rows->size());
      rows->push_back(r);
      targets->push_back(row_target[r]);
    }
  };
  std::vector<int64_t> final_rows, final_targets, final_pos, first_rows, first_targets, first_pos;
  select(b.row_last_target, &final_rows, &final_targets, &final_pos);
  select(b.row_first_target, &first_rows, &first_targets, &first_pos);
  std::vector<int64_t> first_items, first_items_local;
  for (int64_t r : first_rows) {
    int64_t t = 0;
    while (t < T && !b.valid[static_cast<size_t>(r * T + t)]) ++t;
    STARS_CHECK(t < T, "row " << r << " starts at its user's first event but has no valid slot");
    const int64_t local = b.item_local[static_cast<size_t>(r * T + t)];
    STARS_CHECK(b.uniq.empty() || (local >= 0 && local < static_cast<int64_t>(b.uniq.size())),
                "row " << r << ": first item " << local << " outside uniq");
    first_items_local.push_back(local);
    first_items.push_back(b.uniq.empty() ? local : b.uniq[static_cast<size_t>(local)]);
  }
  BatchPacker pk;
  pk.add(&t.item_local, b.item_local, {B, T});
  pk.add(&t.valid, b.valid, {B, T});
  pk.add(&t.type, b.type, {B, T});
  pk.add(&t.hour, b.hour, {B, T});
  pk.add(&t.dow, b.dow, {B, T});
  pk.add(&t.week, b.week, {B, T});
  pk.add(&t.region, b.region, {B, T});
  pk.add(&t.recency, b.recency, {B, T});
  const int64_t F = impl_->schema.num_context();
  if (F > 0) pk.add(&t.context, b.context, {F, B, T});
  if (!b.cal_offsets.empty()) {
    pk.add(&t.cal_ids, b.cal_ids);
    pk.add(&t.cal_offsets, b.cal_offsets);
  }
  const int64_t fn = impl_->schema.num_user_numeric(), fc = impl_->schema.num_user_categorical();
  if (fn > 0) pk.add(&t.user_num, b.user_num, {B, 2 * fn});
  if (fc > 0) pk.add(&t.user_cat, b.user_cat, {B, fc});
  if (!b.uniq.empty()) pk.add(&t.uniq, b.uniq);
  if (b.n_targets > 0) {
    const int64_t n = b.n_targets;
    pk.add(&t.tgt_slot, b.tgt_slot);
    pk.add(&t.tgt_item, b.tgt_item);
    if (b.n_cands > 0) pk.add(&t.cands, b.cands, {n, b.n_cands});
    if (!b.shared.empty()) {
      pk.add(&t.shared, b.shared);
      pk.add(&t.shared_item, b.shared_item);
    }
    pk.add(&t.tgt_hour, b.tgt_hour);
    pk.add(&t.tgt_dow, b.tgt_dow);
    pk.add(&t.tgt_week, b.tgt_week);
    pk.add(&t.tgt_region, b.tgt_region);
    if (!b.tgt_cal_offsets.empty()) {
      pk.add(&t.tgt_cal_ids, b.tgt_cal_ids);
      pk.add(&t.tgt_cal_offsets, b.tgt_cal_offsets);
    }
    if (!b.hist_tgt.empty()) {
      pk.add(&t.hist_tgt, b.hist_tgt);
      pk.add(&t.hist_item, b.hist_item);
    }
    if (!b.hist_cand.empty()) pk.add(&t.hist_cand, b.hist_cand);
    if (!b.hist_shared.empty()) pk.add(&t.hist_shared, b.hist_shared);
    if (!b.cand_logq.empty()) {
      pk.add(&t.cand_logq, b.cand_logq, {n, b.n_cands});
      pk.add(&t.tgt_shared_logq, b.tgt_shared_logq, {n});
      if (!b.shared_logq.empty()) pk.add(&t.shared_logq, b.shared_logq);
      if (!b.pair_logq.empty()) {
        pk.add(&t.pair_logq_tgt, b.pair_logq_tgt);
        pk.add(&t.pair_logq_col, b.pair_logq_col);
        pk.add(&t.pair_logq, b.pair_logq);
      }
    }
  }
  pk.add(&t.final_rows, final_rows);
  pk.add(&t.final_targets, final_targets);
  pk.add(&t.final_pos, final_pos);
  pk.add(&t.first_rows, first_rows);
  pk.add(&t.first_targets, first_targets);
  pk.add(&t.first_pos, first_pos);
  pk.add(&t.first_items, first_items);
  pk.add(&t.first_items_local, first_items_local);
  pk.move_to(device());
  return t;
}

NetOutputs StarsNet::forward(const BatchTensors& batch, const at::Tensor* item_table) const {
  return impl_->forward(batch, item_table);
}

at::Tensor StarsNet::item_vectors(const at::Tensor& ids) const { return impl_->item_tower(ids); }

at::Tensor StarsNet::all_item_vectors() const {
  const int64_t N = impl_->schema.num_items, chunk = 65536;
  if (N <= chunk) return impl_->all_items();
  std::vector<at::Tensor> parts;
  const auto opt = torch::TensorOptions().dtype(torch::kInt64).device(device());
  for (int64_t s = 0; s < N; s += chunk) parts.push_back(impl_->item_tower(torch::arange(s, std::min(N, s + chunk), opt)));
  return at::cat(parts, 0);
}

at::Tensor StarsNet::content_item_vectors(const at::Tensor& text, const at::Tensor& tag_mat) const {
  Impl& m = *impl_;
  std::vector<at::Tensor> parts;
  const int64_t n = text.defined() ? text.size(0) : tag_mat.size(0);
  if (m.text_on) {
    STARS_CHECK_ARG(text.defined() && text.size(1) == m.text.size(1), "content vectors need a text vector of size " << m.text.size(1));
    parts.push_back(text);
  } else if (m.delta_on) {
    parts.push_back(torch::zeros({n, m.d_delta}, torch::TensorOptions().device(device())));  // Δ = 0
  }
  if (m.tags_on) parts.push_back(m.tag_part(tag_mat));
  at::Tensor x = parts.size() == 1 ? parts[0] : at::cat(parts, 1);
  return m.in_proj ? m.in_proj->forward(x) : x;
}

at::Tensor StarsNet::context_offset(const at::Tensor& hour, const at::Tensor& dow, const at::Tensor& week, const at::Tensor& region,
                                    const at::Tensor& cal_ids, const at::Tensor& cal_offsets) const {
  if (!impl_->ctx_head) return torch::zeros({hour.numel(), impl_->D}, torch::TensorOptions().device(device()));
  return impl_->context_offset(hour, dow, week, region, cal_ids, cal_offsets);
}

std::vector<ParamGroup> StarsNet::param_groups() const {
  // Embedding tables (no weight decay by default), dense matrices, and 1-D norms/biases.
  std::set<const void*> embedding;
  for (auto& kv : impl_->named_modules("", false)) {
    if (auto* e = kv.value()->as<nn::Embedding>()) embedding.insert(e->weight.unsafeGetTensorImpl());
    if (auto* e = kv.value()->as<nn::EmbeddingBag>()) embedding.insert(e->weight.unsafeGetTensorImpl());
  }
  std::vector<ParamGroup> g(5);
  g[0].name = "delta";
  g[1].name = "embedding";
  g[2].name = "dense";
  g[3].name = "norm_bias";
  g[4].name = "cold_user";  // its own group: its gradient norm does not change the encoder's clipping
  for (const auto& kv : impl_->named_parameters(true)) {
    const at::Tensor& p = kv.value();
    const int k = kv.key() == "delta.weight" ? 0 : kv.key().rfind("cold_user", 0) == 0 ? 4 : embedding.count(p.unsafeGetTensorImpl()) ? 1 : p.dim() >= 2 ? 2 : 3;
    g[k].params.push_back(p);
    g[k].names.push_back(kv.key());
  }
  std::vector<ParamGroup> out;
  for (auto& x : g)
    if (!x.params.empty()) out.push_back(std::move(x));
  return out;
}

NamedArrays StarsNet::state() const {
  NamedArrays na;
  for (const auto& kv : impl_->named_parameters(true)) {
    const at::Tensor t = kv.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    NamedArray a;
    a.name = kv.key();
    a.shape = t.sizes().vec();
    a.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    na.arrays.push_back(std::move(a));
  }
  if (impl_->cold1 && impl_->cold_prior.defined()) {
    const at::Tensor t = impl_->cold_prior.to(torch::kCPU).contiguous();
    na.arrays.push_back({kColdUserPriorArray, t.sizes().vec(), std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())});
  }
  return na;
}

void StarsNet::load_state(const NamedArrays& w) {
  torch::NoGradGuard ng;
  size_t used = 0;
  bool cold_head = !impl_->cold1.is_empty();
  for (auto& kv : impl_->named_parameters(true)) {
    const NamedArray* a = w.find(kv.key());
    if (a == nullptr && kv.key().rfind("cold_user", 0) == 0) {  // written before the cold-user head existed
      cold_head = false;
      continue;
    }
    STARS_CHECK_DATA(a != nullptr, "weights lack parameter '" << kv.key() << "' (model built with another configuration?)");
    STARS_CHECK_DATA(a->shape == kv.value().sizes().vec(), "parameter '" << kv.key() << "' has another shape in the weights");
    const at::Tensor src = torch::from_blob(const_cast<float*>(a->data.data()), a->shape, torch::kFloat32);
    kv.value().copy_(src);
    ++used;
  }
  if (const NamedArray* p = w.find(kColdUserPriorArray)) {
    STARS_CHECK_DATA(p->shape == std::vector<int64_t>{impl_->schema.num_items},
                     "'" << kColdUserPriorArray << "' has " << p->data.size() << " values for " << impl_->schema.num_items << " items");
    if (cold_head) impl_->cold_prior = to_float_tensor(p->data).to(impl_->device_of());
    ++used;
  }
  STARS_CHECK_DATA(used == w.arrays.size(), "weights hold " << w.arrays.size() << " arrays, the model has " << used
                                                             << " parameters (model built with another configuration?)");
  if (!cold_head) {  // no cold-user vectors from an untrained head
    impl_->cold1 = nullptr;
    impl_->cold2 = nullptr;
  }
}

}  // namespace stars::model
