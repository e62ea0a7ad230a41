// Text vectors from an OpenAI-compatible embeddings service (POST <base_url>/embeddings, as served by
// OpenAI, vLLM, llama.cpp's server, Ollama and text-embeddings-inference). Items are sent in batches of
// `batch_size` texts with at most `max_concurrency` requests in flight; replies are checked (one vector
// per input, placed by "index", all of the expected dimension, finite numbers) and L2-normalised.
// Torch-free.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/openai_client.h"
#include "stars/semantics/text_embedder.h"

namespace stars::semantics {

class HttpEmbedder : public TextEmbedder {
 public:
  explicit HttpEmbedder(const HttpEmbedConfig& config);

  std::string provider() const override { return "openai"; }
  std::string model() const override { return config_.model; }
  // The configured dimension, or the one learnt from the first reply (0 before any reply when not configured).
  int dim() const override { return dim_.load(); }
  void embed(const std::vector<const ItemText*>& items, float* out) override;
  // Embeds raw texts (one request per batch); returns texts.size() rows of dim() floats. Used by embed()
  // and by discover_dim().
  std::vector<float> embed_texts(const std::vector<std::string>& texts);
  // Sends one short request to learn the dimension when the configuration gives none; returns dim().
  int discover_dim();

  const OpenAiClient& client() const { return client_; }
  const HttpEmbedConfig& config() const { return config_; }

 private:
  std::vector<float> embed_batch(const std::vector<std::string>& texts);
  HttpEmbedConfig config_;
  OpenAiClient client_;
  std::atomic<int> dim_;
};

}  // namespace stars::semantics
