// A small client for OpenAI-compatible JSON APIs (OpenAI, vLLM, llama.cpp server, Ollama,
// text-embeddings-inference): POST <base_url><path> with a JSON body, the API key read from an
// environment variable (sent as "Authorization: Bearer", never logged or stored), timeouts, and retries
// with exponential backoff and jitter on 429, 5xx and network errors (a Retry-After header is honoured,
// capped at backoff_max_s). cpp-httplib stays inside the .cpp. Torch-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "stars/semantics/enrich_config.h"

namespace stars::semantics {

class OpenAiClient {
 public:
  // `where` names the configuration section in errors ("embed.openai", "tags.llm").
  OpenAiClient(const HttpClientConfig& config, std::string where);

  // Returns the body of a 2xx reply to POST <base_url><path>. Thread-safe (one connection per call).
  // Throws kUnavailable when retries are exhausted or the service cannot be reached, kInvalidArgument
  // for other 4xx replies (bad model, bad key, bad URL), quoting the start of the server's message.
  std::string post_json(const std::string& path, const std::string& body) const;

  const std::string& url() const { return base_url_; }
  bool has_api_key() const { return !api_key_.empty(); }
  // Requests sent and retries made so far (all threads).
  int64_t requests() const { return requests_.load(); }
  int64_t retries() const { return retries_.load(); }

 private:
  std::string scrub(const std::string& text) const;  // removes the API key from text quoted in errors
  HttpClientConfig config_;
  std::string where_;
  std::string base_url_;     // as configured, without a trailing '/'
  std::string scheme_host_;  // "https://api.openai.com"
  std::string path_prefix_;  // "/v1"
  std::string api_key_;
  mutable std::atomic<int64_t> requests_{0}, retries_{0};
};

}  // namespace stars::semantics
