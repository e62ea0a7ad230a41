#include "stars/semantics/http_embedder.h"

#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "stars/core/error.h"
#include "stars/semantics/detail/json_reply.h"

namespace stars::semantics {

HttpEmbedder::HttpEmbedder(const HttpEmbedConfig& config) : config_(config), client_(config, "embed.openai"), dim_(config.dim) {
  config_.validate();
}

std::vector<float> HttpEmbedder::embed_batch(const std::vector<std::string>& texts) {
  nlohmann::json req = {{"model", config_.model}, {"input", texts}, {"encoding_format", "float"}};
  if (config_.send_dimensions) req["dimensions"] = config_.dim;
  const std::string body = client_.post_json("/embeddings", req.dump());
  const std::string where = "embed.openai: reply of POST " + client_.url() + "/embeddings";
  const nlohmann::json reply = detail::parse_json(body, where, ErrorCode::kCorrupt);
  STARS_CHECK_DATA(reply.is_object() && reply.contains("data") && reply["data"].is_array(),
                   where << " has no \"data\" array (expected {\"data\": [{\"index\": 0, \"embedding\": [...]}, ...]})");
  const auto& data = reply["data"];
  STARS_CHECK_DATA(data.size() == texts.size(),
                   where << " holds " << data.size() << " embeddings for " << texts.size() << " inputs");
  int dim = dim_.load();
  std::vector<float> out;
  std::vector<uint8_t> filled(texts.size(), 0);
  for (size_t k = 0; k < data.size(); ++k) {
    const auto& d = data[k];
    STARS_CHECK_DATA(d.is_object() && d.contains("embedding") && d["embedding"].is_array(),
                     where << ": data[" << k << "] has no \"embedding\" array");
    size_t index = k;
    if (d.contains("index")) {
      STARS_CHECK_DATA(d["index"].is_number_integer() && d["index"].get<int64_t>() >= 0 &&
                           d["index"].get<int64_t>() < static_cast<int64_t>(texts.size()),
                       where << ": data[" << k << "].index is not an input position in [0, " << texts.size() << ")");
      index = d["index"].get<size_t>();
    }
    STARS_CHECK_DATA(!filled[index], where << ": two embeddings for input " << index);
    filled[index] = 1;
    const auto& e = d["embedding"];
    if (dim == 0) {
      // The first reply fixes the dimension when the configuration does not.
      int expected = 0;
      dim_.compare_exchange_strong(expected, static_cast<int>(e.size()));
      dim = dim_.load();
    }
    STARS_CHECK_DATA(e.size() == static_cast<size_t>(dim) && dim > 0,
                     where << ": embedding " << index << " has dimension " << e.size() << ", expected " << dim
                           << (config_.dim > 0 ? " (embed.openai.dim)" : " (from the first reply)"));
    if (out.empty()) out.assign(texts.size() * static_cast<size_t>(dim), 0.0f);
    float* row = out.data() + index * dim;
    for (int j = 0; j < dim; ++j) {
      STARS_CHECK_DATA(e[j].is_number(), where << ": embedding " << index << " value " << j << " is not a number");
      const double v = e[j].get<double>();
      STARS_CHECK_DATA(std::isfinite(v), where << ": embedding " << index << " value " << j << " is not finite");
      row[j] = static_cast<float>(v);
    }
    STARS_CHECK_DATA(l2_normalize(row, dim) > 0, where << ": embedding " << index << " is all zeros");
  }
  return out;
}

std::vector<float> HttpEmbedder::embed_texts(const std::vector<std::string>& texts) {
  const size_t n = texts.size(), bs = static_cast<size_t>(config_.batch_size);
  const size_t n_batches = (n + bs - 1) / bs;
  std::vector<std::vector<float>> results(n_batches);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mu;
  auto worker = [&] {
    for (;;) {
      const size_t b = next++;
      if (b >= n_batches || failed.load()) return;
      try {
        std::vector<std::string> batch(texts.begin() + b * bs, texts.begin() + std::min(n, (b + 1) * bs));
        results[b] = embed_batch(batch);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  const size_t n_workers = std::min<size_t>(n_batches, static_cast<size_t>(config_.max_concurrency));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < n_workers; ++w) threads.emplace_back(worker);
  if (n_workers > 0) worker();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  const int dim = dim_.load();
  std::vector<float> out(n * static_cast<size_t>(dim));
  for (size_t b = 0; b < n_batches; ++b) std::copy(results[b].begin(), results[b].end(), out.begin() + b * bs * dim);
  return out;
}

void HttpEmbedder::embed(const std::vector<const ItemText*>& items, float* out) {
  STARS_CHECK(dim_.load() > 0, "HttpEmbedder::embed needs a known dimension: call discover_dim() first");
  const int dim = dim_.load();
  std::vector<std::string> texts;
  std::vector<size_t> rows;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i]->has_text()) {
      texts.push_back(item_text_for_model(*items[i], static_cast<size_t>(config_.max_text_chars)));
      rows.push_back(i);
    }
  }
  std::fill(out, out + items.size() * dim, 0.0f);  // items without text keep zeros
  if (texts.empty()) return;
  const std::vector<float> v = embed_texts(texts);
  for (size_t k = 0; k < rows.size(); ++k) std::copy(v.begin() + k * dim, v.begin() + (k + 1) * dim, out + rows[k] * dim);
}

int HttpEmbedder::discover_dim() {
  if (dim_.load() == 0) embed_texts({"dimension probe"});
  return dim_.load();
}

}  // namespace stars::semantics
