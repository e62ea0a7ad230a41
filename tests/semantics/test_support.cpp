#include "test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>

#include "stars/core/random.h"
#include "stars/core/table_file.h"
#include "stars/data/dataset_builder.h"

namespace stars::semantics::testing {

std::string temp_dir(const std::string& name) {
  const std::string d = std::string(::testing::TempDir()) + "/stars_semantics_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

std::vector<CatalogItem> make_catalog(int groups, int per_group, uint64_t seed) {
  static const char* kGroups[] = {"yogurt", "shampoo", "tennis", "coffee", "pasta", "lipstick", "bicycle", "cheese"};
  static const char* kDept[] = {"Dairy", "Beauty", "Sports", "Pantry", "Pantry", "Beauty", "Sports", "Dairy"};
  static const char* kWords[] = {"greek", "vanilla", "strawberry", "classic", "family", "mini", "deluxe", "fresh",
                                 "light", "original", "extra", "premium", "natural", "sweet", "bold", "smooth"};
  static const char* kBrands[] = {"Acme", "Northwind", "Contoso", "Fabrikam", "Globex"};
  Rng rng(seed);
  std::vector<CatalogItem> out;
  for (int g = 0; g < groups; ++g) {
    for (int k = 0; k < per_group; ++k) {
      CatalogItem it;
      it.id = "sku-" + std::to_string(g) + "-" + std::to_string(k);
      const std::string noun = kGroups[g % 8];
      it.title = std::string(kWords[rng.uniform(16)]) + " " + kWords[rng.uniform(16)] + " " + noun + " " +
                 std::to_string(100 + rng.uniform(400)) + "g";
      it.description = "A " + noun + " for every day.";
      it.category = {kDept[g % 8], noun + "s", noun + " " + kWords[g % 16]};
      it.brand = kBrands[rng.uniform(5)];
      if (k % 3 == 0) it.tags = {"promo"};
      out.push_back(it);
    }
  }
  return out;
}

void write_dataset(const std::string& dir, const std::vector<CatalogItem>& items) {
  data::DatasetBuilder b("native", "test");
  for (const auto& c : items) {
    data::ItemRecord r;
    r.raw_id = c.id;
    r.title = c.title;
    r.description = c.description;
    r.category = c.category;
    r.brand = c.brand;
    r.tags = c.tags;
    b.add_item(r);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    data::EventRecord e;
    e.user = b.user_id("u" + std::to_string(i % 7));
    e.item = static_cast<int32_t>(i);
    e.ts = 1700000000 + static_cast<int64_t>(i) * 60;
    e.has_ts = true;
    b.add_event(e);
  }
  data::PrepareOptions p;
  p.cold_item_fraction = 0.0;
  b.write(dir, p);
}

std::vector<ItemText> to_item_texts(const std::vector<CatalogItem>& items) {
  std::vector<ItemText> out;
  for (const auto& c : items) out.push_back(ItemText{c.id, c.title, c.description, c.category, c.brand, c.tags});
  return out;
}

std::vector<float> StubServer::vector_for(const std::string& text, int dim) {
  std::vector<float> v(dim);
  uint64_t s = checksum64(text.data(), text.size());
  for (int j = 0; j < dim; ++j) v[j] = static_cast<float>(static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53 - 0.5);
  return v;
}

struct StubServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

StubServer::StubServer() : impl_(std::make_unique<Impl>()) {
  auto guard = [this](const httplib::Request& req, httplib::Response& res) -> bool {
    const int n = ++requests;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_auth_ = req.get_header_value("Authorization");
    }
    const int now = ++in_flight_;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    if (behavior.delay_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(behavior.delay_s));
    --in_flight_;
    const bool fail = n <= behavior.fail_first || (behavior.fail_after >= 0 && n > behavior.fail_after);
    if (fail) {
      res.status = n <= behavior.fail_first ? behavior.fail_status : 500;
      if (!behavior.retry_after.empty()) res.set_header("Retry-After", behavior.retry_after);
      res.set_content("{\"error\": {\"message\": \"stub failure, key was " + req.get_header_value("Authorization") + "\"}}",
                      "application/json");
      return false;
    }
    if (behavior.malformed_json) {
      res.set_content("{not json", "application/json");
      return false;
    }
    if (behavior.missing_data) {
      res.set_content("{\"object\": \"list\"}", "application/json");
      return false;
    }
    return true;
  };
  impl_->server.Post("/v1/embeddings", [this, guard](const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res)) return;
    const auto body = nlohmann::json::parse(req.body);
    const auto& input = body.at("input");
    nlohmann::json data = nlohmann::json::array();
    for (size_t i = 0; i < input.size(); ++i) {
      ++embedding_inputs;
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vector_for(input[i].get<std::string>(), behavior.dim)}});
    }
    if (behavior.reverse_order) std::reverse(data.begin(), data.end());
    res.set_content(nlohmann::json({{"object", "list"}, {"data", data}, {"model", body.at("model")}}).dump(), "application/json");
  });
  impl_->server.Post("/v1/chat/completions", [this, guard](const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res)) return;
    ++chat_requests;
    const auto body = nlohmann::json::parse(req.body);
    const std::string prompt = body.at("messages").back().at("content").get<std::string>();
    std::string content;
    if (behavior.chat_answer) {
      content = behavior.chat_answer(prompt);
    } else {
      nlohmann::json tags = nlohmann::json::array();
      const std::string product = prompt.substr(prompt.find("Product:"));
      if (product.find("organic") != std::string::npos || product.find("Organic") != std::string::npos) tags.push_back("Organic");
      if (product.find("vegan") != std::string::npos) tags.push_back("vegan");
      tags.push_back("moon-made");  // not in any vocabulary: must be dropped and counted
      content = nlohmann::json({{"tags", tags}}).dump();
    }
    nlohmann::json reply = {{"object", "chat.completion"},
                            {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}}}}};
    res.set_content(reply.dump(), "application/json");
  });
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

StubServer::~StubServer() {
  impl_->server.stop();
  impl_->thread.join();
}

std::string StubServer::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1"; }

std::string StubServer::last_authorization() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_auth_;
}

}  // namespace stars::semantics::testing
