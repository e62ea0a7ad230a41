// Helpers shared by the semantics tests: temporary directories, small catalogs written as prepared
// datasets, and a stub OpenAI-compatible server on 127.0.0.1 (ephemeral port) that implements
// /v1/embeddings and /v1/chat/completions and can be told to misbehave (429, 500, slow replies,
// malformed JSON, wrong dimensions).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stars/semantics/item_text.h"

namespace stars::semantics::testing {

std::string temp_dir(const std::string& name);

struct CatalogItem {
  std::string id, title, description;
  std::vector<std::string> category;
  std::string brand;
  std::vector<std::string> tags;
};

// A catalog of `groups` x `per_group` grocery-like items whose titles share words within a group.
std::vector<CatalogItem> make_catalog(int groups, int per_group, uint64_t seed = 1);
// Writes the catalog as a prepared dataset (one event per item) into `dir`.
void write_dataset(const std::string& dir, const std::vector<CatalogItem>& items);
std::vector<ItemText> to_item_texts(const std::vector<CatalogItem>& items);

// What the stub answers. Counters are updated by the server threads.
struct StubBehavior {
  int dim = 8;                    // dimension of the vectors it returns
  int fail_first = 0;             // the first N requests fail with `fail_status`
  int fail_status = 500;
  int fail_after = -1;            // every request after the first N (>= 0) fails with 500
  double delay_s = 0;             // sleep before answering
  bool malformed_json = false;    // answer "{not json"
  bool missing_data = false;      // answer {"object": "list"}
  bool reverse_order = false;     // list the data entries in reverse order (with correct "index")
  std::string retry_after;        // Retry-After header value on failures
  // chat: the answer content for an item prompt (default: {"tags": [...]} from words in the prompt)
  std::function<std::string(const std::string& prompt)> chat_answer;
};

class StubServer {
 public:
  StubServer();
  ~StubServer();
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"
  StubBehavior behavior;
  std::atomic<int> requests{0}, embedding_inputs{0}, max_in_flight{0}, chat_requests{0};
  std::string last_authorization() const;

  // The vector the stub returns for a text (deterministic, not normalised).
  static std::vector<float> vector_for(const std::string& text, int dim);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> in_flight_{0};
  mutable std::mutex mu_;
  std::string last_auth_;
};

}  // namespace stars::semantics::testing
