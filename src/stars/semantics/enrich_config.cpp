#include "stars/semantics/enrich_config.h"

#include "stars/core/error.h"
#include "stars/core/strings.h"

namespace stars::semantics {

void LsaConfig::validate() const {
  STARS_CHECK_ARG(dim >= 2 && dim <= 1024, "embed.lsa.dim must be in [2, 1024], got " << dim);
  STARS_CHECK_ARG(word_ngram_max >= 1 && word_ngram_max <= 3, "embed.lsa.word_ngram_max must be in [1, 3], got " << word_ngram_max);
  STARS_CHECK_ARG(char_ngram_min >= 0 && char_ngram_min <= 8, "embed.lsa.char_ngram_min must be in [0, 8], got " << char_ngram_min);
  if (char_ngram_min > 0)
    STARS_CHECK_ARG(char_ngram_max >= char_ngram_min && char_ngram_max <= 8,
                    "embed.lsa.char_ngram_max must be in [char_ngram_min, 8], got " << char_ngram_max);
  STARS_CHECK_ARG(min_df >= 1, "embed.lsa.min_df must be >= 1, got " << min_df);
  STARS_CHECK_ARG(max_df > 0 && max_df <= 1, "embed.lsa.max_df must be in (0, 1], got " << max_df);
  STARS_CHECK_ARG(max_features >= dim, "embed.lsa.max_features must be >= embed.lsa.dim, got " << max_features);
  for (double w : {weight_title, weight_chars, weight_description, weight_category, weight_brand})
    STARS_CHECK_ARG(w >= 0, "embed.lsa.weight_* must be >= 0, got " << w);
  STARS_CHECK_ARG(weight_title + weight_chars + weight_description + weight_category + weight_brand > 0,
                  "embed.lsa: at least one weight_* must be positive");
  STARS_CHECK_ARG(sigma_exponent >= 0 && sigma_exponent <= 1, "embed.lsa.sigma_exponent must be in [0, 1], got " << sigma_exponent);
  STARS_CHECK_ARG(svd_oversample >= 0 && svd_oversample <= 1024, "embed.lsa.svd_oversample must be in [0, 1024], got " << svd_oversample);
  STARS_CHECK_ARG(svd_power_iters >= 0 && svd_power_iters <= 20, "embed.lsa.svd_power_iters must be in [0, 20], got " << svd_power_iters);
  STARS_CHECK_ARG(svd_max_items == 0 || svd_max_items >= dim,
                  "embed.lsa.svd_max_items must be 0 (all) or >= embed.lsa.dim, got " << svd_max_items);
}

void HttpClientConfig::validate_client(const std::string& p) const {
  STARS_CHECK_ARG(starts_with(base_url, "http://") || starts_with(base_url, "https://"),
                  p << ".base_url must start with http:// or https://, got '" << base_url << "'");
  STARS_CHECK_ARG(max_concurrency >= 1 && max_concurrency <= 64, p << ".max_concurrency must be in [1, 64], got " << max_concurrency);
  STARS_CHECK_ARG(max_retries >= 0 && max_retries <= 20, p << ".max_retries must be in [0, 20], got " << max_retries);
  STARS_CHECK_ARG(backoff_initial_s > 0, p << ".backoff_initial_s must be > 0, got " << backoff_initial_s);
  STARS_CHECK_ARG(backoff_max_s >= backoff_initial_s, p << ".backoff_max_s must be >= backoff_initial_s, got " << backoff_max_s);
  STARS_CHECK_ARG(connect_timeout_s > 0, p << ".connect_timeout_s must be > 0, got " << connect_timeout_s);
  STARS_CHECK_ARG(read_timeout_s > 0, p << ".read_timeout_s must be > 0, got " << read_timeout_s);
  STARS_CHECK_ARG(max_text_chars >= 16, p << ".max_text_chars must be >= 16, got " << max_text_chars);
}

void HttpEmbedConfig::validate() const {
  validate_client("embed.openai");
  STARS_CHECK_ARG(!model.empty(), "embed.openai.model must not be empty");
  STARS_CHECK_ARG(dim >= 0 && dim <= 65536, "embed.openai.dim must be in [0, 65536], got " << dim);
  STARS_CHECK_ARG(!send_dimensions || dim > 0, "embed.openai.send_dimensions needs embed.openai.dim > 0");
  STARS_CHECK_ARG(batch_size >= 1 && batch_size <= 2048, "embed.openai.batch_size must be in [1, 2048], got " << batch_size);
}

void FileVectorsConfig::validate() const {}

void EmbedConfig::validate() const {
  STARS_CHECK_ARG(provider == "lsa" || provider == "openai" || provider == "file",
                  "embed.provider must be lsa, openai or file, got '" << provider << "'");
  if (provider == "lsa") lsa.validate();
  if (provider == "openai") openai.validate();
  if (provider == "file") STARS_CHECK_ARG(!file.path.empty(), "embed.file.path is required with embed.provider=file");
}

void LlmTagConfig::validate() const {
  validate_client("tags.llm");
  STARS_CHECK_ARG(!model.empty(), "tags.llm.model must not be empty");
  STARS_CHECK_ARG(temperature >= 0 && temperature <= 2, "tags.llm.temperature must be in [0, 2], got " << temperature);
  STARS_CHECK_ARG(max_tokens >= 16, "tags.llm.max_tokens must be >= 16, got " << max_tokens);
}

void TagConfig::validate() const {
  STARS_CHECK_ARG(tagger == "rules" || tagger == "llm" || tagger == "both" || tagger == "none",
                  "tags.tagger must be rules, llm, both or none, got '" << tagger << "'");
  STARS_CHECK_ARG(category_tag_depth >= 0, "tags.category_tag_depth must be >= 0, got " << category_tag_depth);
  STARS_CHECK_ARG(derived_min_items >= 1, "tags.derived_min_items must be >= 1, got " << derived_min_items);
  if (tagger == "llm" || tagger == "both") llm.validate();
}

void EnrichConfig::validate() const {
  embed.validate();
  tags.validate();
  STARS_CHECK_ARG(threads >= 0 && threads <= 1024, "threads must be in [0, 1024], got " << threads);
}

}  // namespace stars::semantics
