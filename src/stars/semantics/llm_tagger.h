// Attribute tags from a language model (paper §4.1: tags "computed offline by an LLM pipeline") through
// an OpenAI-compatible POST <base_url>/chat/completions. The model gets the controlled vocabulary and
// one item, and is asked for JSON ({"tags": [...]}); answers are normalised onto the vocabulary (names
// and literal synonyms, case and punctuation ignored) and unknown tags are dropped and counted. Results
// are cached by a hash of model, vocabulary version and item text in a JSONL file appended as answers
// arrive, so a re-run, an unchanged item or an interrupted run costs no new request. Torch-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/item_text.h"
#include "stars/semantics/openai_client.h"
#include "stars/semantics/tag_vocabulary.h"

namespace stars::semantics {

struct LlmTagStats {
  int64_t items = 0;           ///< items asked for
  int64_t cached = 0;          ///< answered from the cache
  int64_t requested = 0;       ///< answered by the model in this run
  int64_t unknown_tags = 0;    ///< answer entries that name no vocabulary tag (dropped)
  int64_t invalid_answers = 0; ///< answers that were not the requested JSON (not cached, item gets no LLM tags)
};

// The vocabulary indices named by a model answer ("{\"tags\": [...]}", a bare list, or either inside a
// ```json fence). Returns false when the answer holds no such JSON; `unknown` receives dropped names.
bool parse_tag_answer(const std::string& content, const TagVocabulary& vocabulary, std::vector<int32_t>* tags,
                      std::vector<std::string>* unknown);

class LlmTagger {
 public:
  // `cache_path`: the JSONL cache (created if absent). The vocabulary must outlive the tagger.
  LlmTagger(const LlmTagConfig& config, const TagVocabulary& vocabulary, std::string cache_path);

  // Tags of every item (vocabulary indices, sorted). `on_done(n)` is called after each answered item
  // (from worker threads, serialised). Items without text get no tags and cost no request.
  std::vector<std::vector<int32_t>> tag(const std::vector<const ItemText*>& items,
                                        const std::function<void(size_t done)>& on_done = nullptr);

  const LlmTagStats& stats() const { return stats_; }
  const OpenAiClient& client() const { return client_; }

 private:
  std::string cache_key(const ItemText& item) const;
  std::string build_request(const ItemText& item) const;
  void load_cache();
  void append_cache(const std::string& key, const std::vector<int32_t>& tags, const std::vector<std::string>& unknown);

  LlmTagConfig config_;
  const TagVocabulary& vocab_;
  OpenAiClient client_;
  std::string cache_path_;
  std::string tag_list_;  // the vocabulary as the prompt shows it
  std::string vocab_version_;
  std::unordered_map<std::string, std::vector<int32_t>> cache_;
  std::mutex mu_;
  LlmTagStats stats_;
};

}  // namespace stars::semantics
