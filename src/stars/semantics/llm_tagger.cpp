#include "stars/semantics/llm_tagger.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <thread>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/semantics/detail/json_reply.h"

namespace stars::semantics {
namespace {

constexpr const char* kPromptVersion = "tags-v1";

constexpr const char* kSystemPrompt =
    "You label retail products with attribute tags. Use only tags from the given list, and only when the "
    "product text supports them. Answer with a JSON object {\"tags\": [\"tag\", ...]} and nothing else; "
    "use an empty list when no tag applies.";

// The first JSON object or array in `s` (inside a ``` fence or after some prose), or "".
std::string extract_json(const std::string& s) {
  const size_t start = s.find_first_of("{[");
  if (start == std::string::npos) return "";
  const size_t end = s.find_last_of(s[start] == '{' ? '}' : ']');
  if (end == std::string::npos || end < start) return "";
  return s.substr(start, end - start + 1);
}

}  // namespace

bool parse_tag_answer(const std::string& content, const TagVocabulary& vocabulary, std::vector<int32_t>* tags,
                      std::vector<std::string>* unknown) {
  tags->clear();
  const std::string js = extract_json(content);
  if (js.empty()) return false;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(js);
  } catch (const std::exception&) {
    return false;
  }
  const nlohmann::json* list = nullptr;
  if (j.is_array()) list = &j;
  else if (j.is_object() && j.contains("tags") && j["tags"].is_array()) list = &j["tags"];
  if (!list) return false;
  for (const auto& t : *list) {
    if (!t.is_string()) {
      unknown->push_back(t.dump());
      continue;
    }
    const auto id = vocabulary.find(t.get<std::string>());
    if (id) tags->push_back(*id);
    else unknown->push_back(t.get<std::string>());
  }
  std::sort(tags->begin(), tags->end());
  tags->erase(std::unique(tags->begin(), tags->end()), tags->end());
  return true;
}

LlmTagger::LlmTagger(const LlmTagConfig& config, const TagVocabulary& vocabulary, std::string cache_path)
    : config_(config), vocab_(vocabulary), client_(config, "tags.llm"), cache_path_(std::move(cache_path)) {
  config_.validate();
  std::vector<std::string> names;
  for (const auto& t : vocab_.tags()) names.push_back(t.name);
  tag_list_ = join(names, ", ");
  vocab_version_ = vocab_.version();
  load_cache();
}

std::string LlmTagger::cache_key(const ItemText& item) const {
  const std::string k = std::string(kPromptVersion) + "\x1f" + config_.model + "\x1f" + vocab_version_ + "\x1f" +
                        hash_hex(item_text_hash(item));
  return hash_hex(checksum64(k.data(), k.size()));
}

void LlmTagger::load_cache() {
  if (!file_exists(cache_path_)) return;
  const std::string text = read_text_file(cache_path_);
  int64_t bad = 0;
  for (std::string_view line : split(text, '\n')) {
    if (trim(line).empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      std::vector<int32_t> ids;
      for (const auto& name : j.at("tags")) {
        const auto id = vocab_.find(name.get<std::string>());
        if (id) ids.push_back(*id);
      }
      cache_[j.at("key").get<std::string>()] = std::move(ids);
    } catch (const std::exception&) {
      ++bad;  // a line cut by an interrupted run
    }
  }
  if (bad) STARS_WARN(cache_path_ << ": skipped " << bad << " unreadable line(s) of the tag cache");
}

void LlmTagger::append_cache(const std::string& key, const std::vector<int32_t>& tags, const std::vector<std::string>& unknown) {
  nlohmann::json j;
  j["key"] = key;
  std::vector<std::string> names;
  for (int32_t t : tags) names.push_back(vocab_.tags()[t].name);
  j["tags"] = names;
  j["unknown"] = unknown;
  const std::string line = j.dump() + "\n";
  std::FILE* f = std::fopen(cache_path_.c_str(), "ab");
  if (!f) STARS_THROW(kIo, "cannot append to the tag cache " << cache_path_);
  const bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  if (std::fclose(f) != 0 || !ok) STARS_THROW(kIo, "cannot write the tag cache " << cache_path_);
}

std::string LlmTagger::build_request(const ItemText& item) const {
  nlohmann::json req;
  req["model"] = config_.model;
  req["temperature"] = config_.temperature;
  req["max_tokens"] = config_.max_tokens;
  if (config_.json_mode) req["response_format"] = {{"type", "json_object"}};
  req["messages"] = nlohmann::json::array(
      {{{"role", "system"}, {"content", kSystemPrompt}},
       {{"role", "user"},
        {"content", "Tags: " + tag_list_ + "\n\nProduct:\n" +
                        item_text_for_model(item, static_cast<size_t>(config_.max_text_chars))}}});
  return req.dump();
}

std::vector<std::vector<int32_t>> LlmTagger::tag(const std::vector<const ItemText*>& items,
                                                 const std::function<void(size_t)>& on_done) {
  std::vector<std::vector<int32_t>> out(items.size());
  std::vector<size_t> todo;
  std::vector<std::string> keys(items.size());
  size_t done = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    ++stats_.items;
    if (!items[i]->has_text()) {
      ++done;
      continue;
    }
    keys[i] = cache_key(*items[i]);
    auto it = cache_.find(keys[i]);
    if (it != cache_.end()) {
      out[i] = it->second;
      ++stats_.cached;
      ++done;
    } else {
      todo.push_back(i);
    }
  }
  if (on_done) on_done(done);
  make_directories(cache_path_.substr(0, cache_path_.find_last_of('/') == std::string::npos ? 0 : cache_path_.find_last_of('/')));

  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  auto worker = [&] {
    for (;;) {
      const size_t k = next++;
      if (k >= todo.size() || failed.load()) return;
      const size_t i = todo[k];
      try {
        const std::string body = client_.post_json("/chat/completions", build_request(*items[i]));
        const std::string where = "tags.llm: reply of POST " + client_.url() + "/chat/completions";
        const nlohmann::json reply = detail::parse_json(body, where, ErrorCode::kCorrupt);
        STARS_CHECK_DATA(reply.is_object() && reply.contains("choices") && reply["choices"].is_array() &&
                             !reply["choices"].empty() && reply["choices"][0].contains("message") &&
                             reply["choices"][0]["message"].contains("content"),
                         where << " has no choices[0].message.content");
        const auto& content = reply["choices"][0]["message"]["content"];
        std::vector<int32_t> tags;
        std::vector<std::string> unknown;
        const bool ok = content.is_string() && parse_tag_answer(content.get<std::string>(), vocab_, &tags, &unknown);
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.requested;
        stats_.unknown_tags += static_cast<int64_t>(unknown.size());
        if (ok) {
          out[i] = tags;
          cache_[keys[i]] = tags;
          append_cache(keys[i], tags, unknown);
        } else {
          ++stats_.invalid_answers;
        }
        ++done;
        if (on_done) on_done(done);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  const size_t n_workers = std::min<size_t>(todo.size(), static_cast<size_t>(config_.max_concurrency));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < n_workers; ++w) threads.emplace_back(worker);
  if (n_workers > 0) worker();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  if (stats_.invalid_answers > 0)
    STARS_WARN("tags.llm: " << stats_.invalid_answers << " answer(s) were not the requested JSON; those items got no LLM tags "
                            << "and will be asked again next run");
  return out;
}

}  // namespace stars::semantics
