#include "stars/model/model_config.h"

#include "stars/core/error.h"

namespace stars::model {

void ModelConfig::validate() const {
  STARS_CHECK_ARG(d_model >= 8 && d_model <= 16384, "model.d_model must be in [8, 16384], got " << d_model);
  STARS_CHECK_ARG(n_layers >= 1 && n_layers <= 48, "model.n_layers must be in [1, 48], got " << n_layers);
  STARS_CHECK_ARG(n_heads >= 1 && d_model % n_heads == 0,
                  "model.n_heads must divide model.d_model (" << d_model << "), got " << n_heads);
  STARS_CHECK_ARG(d_ff >= 1, "model.d_ff must be >= 1, got " << d_ff);
  STARS_CHECK_ARG(activation == "relu" || activation == "gelu", "model.activation must be relu or gelu, got '" << activation << "'");
  STARS_CHECK_ARG(dropout >= 0.0 && dropout < 1.0, "model.dropout must be in [0, 1), got " << dropout);
  STARS_CHECK_ARG(attn_dropout >= 0.0 && attn_dropout < 1.0, "model.attn_dropout must be in [0, 1), got " << attn_dropout);
  STARS_CHECK_ARG(max_len >= 1 && max_len <= 4096, "model.max_len must be in [1, 4096], got " << max_len);
  STARS_CHECK_ARG(d_tag >= 1, "model.d_tag must be >= 1, got " << d_tag);
  STARS_CHECK_ARG(tag_proj == "linear" || tag_proj == "mlp", "model.tag_proj must be linear or mlp, got '" << tag_proj << "'");
  STARS_CHECK_ARG(max_tags >= 1, "model.max_tags must be >= 1, got " << max_tags);
  STARS_CHECK_ARG(d_context >= 1, "model.d_context must be >= 1, got " << d_context);
  STARS_CHECK_ARG(recency_buckets >= 2 && recency_buckets <= 64, "model.recency_buckets must be in [2, 64], got " << recency_buckets);
  STARS_CHECK_ARG(init_std > 0.0 && init_std < 10.0, "model.init_std must be in (0, 10), got " << init_std);
  STARS_CHECK_ARG(head == "linear" || head == "identity", "model.head must be linear or identity, got '" << head << "'");
  STARS_CHECK_ARG(use_text || use_tags || use_delta, "model: at least one of use_text, use_tags, use_delta must be on");
}

ModelConfig model_preset(const std::string& name) {
  ModelConfig c;
  if (name == "cpu" || name.empty()) return c;
  if (name == "paper") {
    c.d_model = 672;
    c.n_layers = 4;
    c.n_heads = 8;
    c.d_ff = 3072;
    c.activation = "relu";
    c.dropout = 0.1;
    c.attn_dropout = 0.1;
    c.max_len = 200;
    c.d_tag = 160;
    c.d_context = 32;
    return c;
  }
  if (name == "tiny") {
    c.d_model = 16;
    c.n_layers = 1;
    c.n_heads = 2;
    c.d_ff = 32;
    c.dropout = 0.0;
    c.attn_dropout = 0.0;
    c.max_len = 12;
    c.d_tag = 8;
    c.d_context = 4;
    return c;
  }
  STARS_THROW(kInvalidArgument, "unknown model preset '" << name << "' (expected cpu, paper or tiny)");
}

}  // namespace stars::model
