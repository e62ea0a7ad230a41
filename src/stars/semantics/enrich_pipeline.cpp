#include "stars/semantics/enrich_pipeline.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/npy.h"
#include "stars/core/strings.h"
#include "stars/core/table_file.h"
#include "stars/core/thread_pool.h"
#include "stars/data/dataset.h"
#include "stars/semantics/file_embedder.h"
#include "stars/semantics/http_embedder.h"
#include "stars/semantics/item_semantics.h"
#include "stars/semantics/item_tagger.h"
#include "stars/semantics/lsa_embedder.h"
#include "stars/semantics/semantic_encoder.h"
#include "stars/semantics/vector_cache.h"

namespace stars::semantics {
namespace {

constexpr const char* kTextFormat = "text-v1";  // version of item_text_for_model, part of cache keys
constexpr double kMinUnchangedForLsaReuse = 0.8;

std::string semantics_dir(const std::string& dataset_dir) { return path_join(dataset_dir, "semantics"); }

// The previous run's vectors, looked up by raw id (or by dense id when an old file has no raw ids).
struct Previous {
  std::unique_ptr<ItemSemantics> s;
  std::unordered_map<std::string, int32_t> row_of;
  int32_t row(const ItemText& item, int32_t dense) const {
    if (!s) return -1;
    if (s->raw_ids.empty()) return dense < s->num_items ? dense : -1;
    auto it = row_of.find(item.raw_id);
    return it == row_of.end() ? -1 : it->second;
  }
};

Previous load_previous(const std::string& dataset_dir) {
  Previous p;
  if (!has_item_semantics(dataset_dir)) return p;
  try {
    p.s = std::make_unique<ItemSemantics>(load_item_semantics(dataset_dir));
    for (int32_t i = 0; i < static_cast<int32_t>(p.s->raw_ids.size()); ++i) p.row_of.emplace(p.s->raw_ids[i], i);
  } catch (const Error& e) {
    STARS_WARN("ignoring the previous item semantics (" << e.what() << "); everything is recomputed");
    p.s.reset();
  }
  return p;
}

// Share of current items whose text is unchanged since the previous run.
double unchanged_share(const Previous& prev, const std::vector<ItemText>& items, const std::vector<uint64_t>& hashes) {
  if (!prev.s || items.empty()) return 0.0;
  int64_t same = 0;
  for (int32_t i = 0; i < static_cast<int32_t>(items.size()); ++i) {
    const int32_t r = prev.row(items[i], i);
    same += (r >= 0 && prev.s->text_hash[r] == hashes[i]) ? 1 : 0;
  }
  return static_cast<double>(same) / static_cast<double>(items.size());
}

std::unique_ptr<LsaEmbedder> lsa_for_run(const std::string& dir, const EnrichConfig& config, const EnrichOptions& options,
                                         const Previous& prev, const std::vector<ItemText>& items,
                                         const std::vector<uint64_t>& hashes, int threads, bool* fitted,
                                         std::vector<float>* fit_vectors) {
  const std::string path = path_join(semantics_dir(dir), kLsaModelFile);
  *fitted = false;
  if (!options.refit && file_exists(path)) {
    try {
      auto old = LsaEmbedder::load(path);
      const bool same_config = config_to_json(old->config()).dump(-1) == config_to_json(config.embed.lsa).dump(-1);
      const double unchanged = unchanged_share(prev, items, hashes);
      if (same_config && unchanged >= kMinUnchangedForLsaReuse) {
        old->set_threads(threads);
        STARS_INFO("lsa: reusing the fitted model " << old->model() << " (" << static_cast<int>(unchanged * 100)
                                                    << "% of items unchanged; --refit fits anew)");
        return old;
      }
      STARS_INFO("lsa: refitting (" << (same_config ? "under 80% of the catalog is unchanged" : "the configuration changed") << ")");
    } catch (const Error& e) {
      STARS_WARN("lsa: cannot reuse " << path << " (" << e.what() << "); refitting");
    }
  }
  auto e = LsaEmbedder::fit(items, config.embed.lsa, threads, fit_vectors);
  e->save(path);
  *fitted = true;
  return e;
}

void write_embedder_json(const std::string& sem_dir, const EnrichConfig& config, const TextEmbedder& e) {
  JsonObject j;
  j.set("provider", e.provider());
  j.set("model", e.model());
  j.set("dim", e.dim());
  if (e.provider() == "lsa") j.set_object("config", config_to_json(config.embed.lsa));
  if (e.provider() == "openai") {
    HttpEmbedConfig c = config.embed.openai;
    c.dim = e.dim();  // learnt from the service when not configured
    j.set_object("config", config_to_json(c));
  }
  if (e.provider() == "file") j.set_object("config", config_to_json(config.embed.file));
  write_text_file(path_join(sem_dir, kEmbedderFile), j.dump() + "\n");
}

void write_tagger_files(const std::string& sem_dir, const TagConfig& config, const TagVocabulary& vocab,
                        const std::vector<std::string>& tag_names) {
  JsonObject j;
  j.set_object("config", config_to_json(config));
  j.set("vocab_version", vocab.version());
  j.set("tag_names", tag_names);
  write_text_file(path_join(sem_dir, kTaggerFile), j.dump() + "\n");
  write_text_file(path_join(sem_dir, kVocabularyFile), vocab.to_text());
}

}  // namespace

std::string EnrichReport::to_json() const {
  JsonObject j;
  j.set("num_items", num_items);
  j.set("dim", dim);
  j.set("provider", provider);
  j.set("model", model);
  j.set("vocab_version", vocab_version);
  j.set("fitted", fitted);
  j.set("items_with_text", items_with_text);
  j.set("vectors_reused", vectors_reused);
  j.set("vectors_cached", vectors_cached);
  j.set("vectors_computed", vectors_computed);
  j.set("vectors_missing", vectors_missing);
  j.set("http_requests", http_requests);
  j.set("http_retries", http_retries);
  j.set("num_tags", num_tags);
  j.set("items_with_tags", items_with_tags);
  j.set("items_with_vocabulary_tags", items_with_vocabulary_tags);
  j.set("items_with_input_tags", items_with_input_tags);
  j.set("items_with_derived_tags", items_with_derived_tags);
  j.set("tag_coverage", num_items ? static_cast<double>(items_with_tags) / num_items : 0.0);
  j.set("vocabulary_tag_coverage", num_items ? static_cast<double>(items_with_vocabulary_tags) / num_items : 0.0);
  JsonObject l;
  l.set("items", llm.items);
  l.set("cached", llm.cached);
  l.set("requested", llm.requested);
  l.set("unknown_tags", llm.unknown_tags);
  l.set("invalid_answers", llm.invalid_answers);
  j.set_object("llm", l);
  j.set("seconds_fit", seconds_fit);
  j.set("seconds_embed", seconds_embed);
  j.set("seconds_tags", seconds_tags);
  j.set("seconds_total", seconds_total);
  j.set("items_per_second", items_per_second);
  return j.dump();
}

EnrichReport run_enrich(const std::string& dataset_dir, const EnrichConfig& config, const EnrichOptions& options) {
  config.validate();
  Timer total;
  // The vocabulary first: a bad vocabulary file should stop the run before any expensive work.
  TagVocabulary vocab = load_configured_vocabulary(config.tags);
  const int threads = config.threads > 0 ? config.threads : default_num_threads();
  auto ds = data::Dataset::open(dataset_dir);
  const std::string sem_dir = semantics_dir(dataset_dir);
  make_directories(path_join(sem_dir, "cache"));
  const int32_t n = ds->num_items();
  const std::vector<ItemText> items = item_texts_from_dataset(*ds);
  std::vector<uint64_t> hashes(n);
  for (int32_t i = 0; i < n; ++i) hashes[i] = item_text_hash(items[i]);
  Previous prev = load_previous(dataset_dir);

  EnrichReport rep;
  rep.num_items = n;
  for (const auto& it : items) rep.items_with_text += it.has_text() ? 1 : 0;

  // ---- the text provider
  Timer t_fit;
  std::unique_ptr<TextEmbedder> embedder;
  std::vector<float> fit_vectors;  // the catalog's vectors when the LSA model was fitted in this run
  HttpEmbedder* http = nullptr;
  FileEmbedder* file = nullptr;
  const std::string provider = config.embed.provider;
  if (provider == "lsa") {
    embedder = lsa_for_run(dataset_dir, config, options, prev, items, hashes, threads, &rep.fitted, &fit_vectors);
  } else if (provider == "openai") {
    auto h = std::make_unique<HttpEmbedder>(config.embed.openai);
    if (h->dim() == 0) h->discover_dim();
    http = h.get();
    embedder = std::move(h);
  } else {
    auto f = std::make_unique<FileEmbedder>(read_keyed_vectors(config.embed.file), config.embed.file);
    file = f.get();
    embedder = std::move(f);
  }
  rep.seconds_fit = t_fit.seconds();
  rep.provider = embedder->provider();
  rep.model = embedder->model();
  rep.dim = embedder->dim();
  const int dim = rep.dim;

  // ---- vectors: reuse unchanged items, then the cache, then compute
  Timer t_embed;
  ItemSemantics out;
  out.num_items = n;
  out.dim = dim;
  out.provider = rep.provider;
  out.model = rep.model;
  out.text.assign(static_cast<size_t>(n) * dim, 0.0f);
  out.text_hash = hashes;
  out.raw_ids.resize(n);
  for (int32_t i = 0; i < n; ++i) out.raw_ids[i] = items[i].raw_id;
  const bool prev_compatible = prev.s && prev.s->provider == rep.provider && prev.s->model == rep.model && prev.s->dim == dim;
  std::vector<int32_t> todo;
  for (int32_t i = 0; i < n; ++i) {
    const int32_t r = prev_compatible ? prev.row(items[i], i) : -1;
    if (r >= 0 && prev.s->text_hash[r] == hashes[i]) {
      std::copy_n(prev.s->text.begin() + static_cast<size_t>(r) * dim, dim, out.text.begin() + static_cast<size_t>(i) * dim);
      ++rep.vectors_reused;
    } else {
      todo.push_back(i);
    }
  }
  std::unique_ptr<VectorCache> cache;
  if (http) {
    const auto& c = config.embed.openai;
    const std::string key = "openai|" + c.model + "|" + std::to_string(dim) + "|" + (c.send_dimensions ? "dims" : "") +
                            "|" + std::to_string(c.max_text_chars) + "|" + kTextFormat;
    cache = std::make_unique<VectorCache>(
        path_join(path_join(sem_dir, "cache"), "vectors-" + hash_hex(checksum64(key.data(), key.size())).substr(0, 8) + ".vec"),
        key, dim);
    std::vector<int32_t> rest;
    for (int32_t i : todo) {
      if (const float* v = cache->find(hashes[i])) {
        std::copy_n(v, dim, out.text.begin() + static_cast<size_t>(i) * dim);
        ++rep.vectors_cached;
      } else {
        rest.push_back(i);
      }
    }
    todo.swap(rest);
  }
  if (!todo.empty()) {
    // Blocks keep progress moving and, for the service, put finished vectors into the cache as they come.
    const size_t block = http ? static_cast<size_t>(config.embed.openai.batch_size) * config.embed.openai.max_concurrency * 2
                              : 8192;
    Progress progress("embedding (" + rep.provider + ")", todo.size(), "items");
    std::vector<float> buf;
    for (size_t b = 0; b < todo.size(); b += block) {
      const size_t e = std::min(todo.size(), b + block);
      std::vector<const ItemText*> batch;
      std::vector<uint64_t> batch_hashes;
      for (size_t k = b; k < e; ++k) {
        batch.push_back(&items[todo[k]]);
        batch_hashes.push_back(hashes[todo[k]]);
      }
      buf.assign(batch.size() * dim, 0.0f);
      try {
        if (!fit_vectors.empty()) {
          for (size_t k = b; k < e; ++k)
            std::copy_n(fit_vectors.begin() + static_cast<size_t>(todo[k]) * dim, dim, buf.begin() + (k - b) * dim);
        } else {
          embedder->embed(batch, buf.data());
        }
      } catch (const Error& err) {
        throw err.with_context("embedding items " + std::to_string(b) + ".." + std::to_string(e) + " of " +
                               std::to_string(todo.size()) + " to compute (" + std::to_string(cache ? cache->size() : 0) +
                               " vectors are safe in the cache; re-run to resume)");
      }
      if (cache) {
        // Items without text have zero vectors that need no caching.
        std::vector<uint64_t> ch;
        std::vector<float> cv;
        for (size_t k = 0; k < batch.size(); ++k)
          if (batch[k]->has_text()) {
            ch.push_back(batch_hashes[k]);
            cv.insert(cv.end(), buf.begin() + k * dim, buf.begin() + (k + 1) * dim);
          }
        if (!ch.empty()) cache->append(ch, cv.data());
      }
      for (size_t k = b; k < e; ++k)
        std::copy_n(buf.begin() + (k - b) * dim, dim, out.text.begin() + static_cast<size_t>(todo[k]) * dim);
      progress.update(e);
    }
    progress.finish();
    rep.vectors_computed = static_cast<int64_t>(todo.size());
  }
  if (file) rep.vectors_missing = file->missing();
  if (http) {
    rep.http_requests = http->client().requests();
    rep.http_retries = http->client().retries();
  }
  rep.seconds_embed = t_embed.seconds();

  // ---- tags
  Timer t_tags;
  const ItemTagger tagger(vocab, config.tags);
  rep.vocab_version = vocab.version();
  std::vector<std::vector<int32_t>> llm_tags;
  const bool use_llm = config.tags.tagger == "llm" || config.tags.tagger == "both";
  if (use_llm) {
    LlmTagger llm(config.tags.llm, tagger.vocabulary(), path_join(path_join(sem_dir, "cache"), "llm-tags.jsonl"));
    std::vector<const ItemText*> ptrs;
    for (const auto& it : items) ptrs.push_back(&it);
    Progress progress("tagging (llm)", ptrs.size(), "items");
    try {
      llm_tags = llm.tag(ptrs, [&](size_t done) { progress.update(done); });
    } catch (const Error& err) {
      throw err.with_context("LLM tagging (answers so far are safe in the cache; re-run to resume)");
    }
    progress.finish();
    rep.llm = llm.stats();
    rep.http_requests += llm.client().requests();
    rep.http_retries += llm.client().retries();
  }
  std::vector<std::vector<std::string>> names(n);
  parallel_for(static_cast<size_t>(n), threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) names[i] = tagger.tags(items[i], use_llm ? &llm_tags[i] : nullptr);
  }, 256);
  // Tag vocabulary: every controlled-vocabulary tag (so new items can get any of them), then the other
  // tags in name order; brand/category tags held by fewer than derived_min_items items are dropped.
  std::vector<std::string> tag_names;
  std::unordered_map<std::string, int32_t> tag_id;
  for (const auto& t : vocab.tags()) {
    tag_id.emplace(t.name, static_cast<int32_t>(tag_names.size()));
    tag_names.push_back(t.name);
  }
  std::map<std::string, int64_t> other_count;
  for (const auto& list : names)
    for (const auto& t : list)
      if (!tag_id.count(t)) ++other_count[t];
  for (const auto& [t, count] : other_count) {
    if (is_derived_tag(t) && count < config.tags.derived_min_items) continue;
    if (tag_id.emplace(t, static_cast<int32_t>(tag_names.size())).second) tag_names.push_back(t);
  }
  out.tag_names = tag_names;
  out.vocab_version = rep.vocab_version;
  out.tag_offsets.assign(1, 0);
  for (int32_t i = 0; i < n; ++i) {
    bool vocab_tag = false, input_tag = false, derived_tag = false;
    std::vector<int32_t> ids;
    for (const auto& t : names[i]) {
      auto it = tag_id.find(t);
      if (it == tag_id.end()) continue;
      ids.push_back(it->second);
      if (it->second < static_cast<int32_t>(vocab.size())) vocab_tag = true;
      else if (is_derived_tag(t)) derived_tag = true;
      else input_tag = true;
    }
    // Input tags that name a vocabulary tag count as input tags too.
    if (config.tags.keep_input_tags)
      for (const auto& raw : items[i].tags) input_tag = input_tag || !trim(raw).empty();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    out.tag_ids.insert(out.tag_ids.end(), ids.begin(), ids.end());
    out.tag_offsets.push_back(out.tag_ids.size());
    rep.items_with_tags += ids.empty() ? 0 : 1;
    rep.items_with_vocabulary_tags += vocab_tag ? 1 : 0;
    rep.items_with_input_tags += input_tag ? 1 : 0;
    rep.items_with_derived_tags += derived_tag ? 1 : 0;
  }
  rep.num_tags = static_cast<int64_t>(tag_names.size());
  rep.seconds_tags = t_tags.seconds();

  // ---- write: the artifact first, then what the encoder reads, then the reports
  save_item_semantics(dataset_dir, out);
  write_embedder_json(sem_dir, config, *embedder);
  write_tagger_files(sem_dir, config.tags, vocab, tag_names);
  write_text_file(path_join(sem_dir, "enrich_config.json"), config_to_json(config).dump() + "\n");
  rep.seconds_total = total.seconds();
  rep.items_per_second = rep.seconds_total > 0 ? n / rep.seconds_total : 0.0;
  write_text_file(path_join(sem_dir, "report.json"), rep.to_json() + "\n");
  if (!options.export_npy_dir.empty()) export_semantics_npy(dataset_dir, options.export_npy_dir);
  return rep;
}

void export_semantics_npy(const std::string& dataset_dir, const std::string& out_dir) {
  const ItemSemantics s = load_item_semantics(dataset_dir);
  make_directories(out_dir);
  write_npy_f32(path_join(out_dir, "text.npy"), s.text.data(), static_cast<uint64_t>(s.num_items), static_cast<uint64_t>(s.dim));
  std::vector<std::string> ids = s.raw_ids;
  if (ids.empty()) {
    auto ds = data::Dataset::open(dataset_dir, false);
    for (int32_t i = 0; i < s.num_items; ++i) ids.emplace_back(ds->item_raw_id(i));
  }
  write_text_file(path_join(out_dir, "item_ids.txt"), join(ids, "\n") + "\n");
  write_text_file(path_join(out_dir, "tag_names.txt"), join(s.tag_names, "\n") + "\n");
  std::vector<int32_t> off(s.tag_offsets.begin(), s.tag_offsets.end());
  write_npy_i32(path_join(out_dir, "tag_offsets.npy"), off.data(), off.size());
  write_npy_i32(path_join(out_dir, "tag_ids.npy"), s.tag_ids.data(), s.tag_ids.size());
}

}  // namespace stars::semantics
