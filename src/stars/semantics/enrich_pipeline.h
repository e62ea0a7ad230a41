// `stars enrich` as a library call (paper §4.1, Figures 2-3): computes the semantic tokens of every
// item of a prepared dataset, a frozen text vector and a set of attribute tags, and writes them with
// their provenance into DS/semantics/:
//
//   items.tbl           the ItemSemantics artifact (item_semantics.h) read by training, export, serving
//   provenance.json     provider, model, dimension, vocabulary version, counts
//   embedder.json, lsa.tbl, tagger.json, vocabulary.tags   what SemanticEncoder needs for new items
//   enrich_config.json  the resolved configuration;  report.json  counts and timings of the last run
//   cache/              vectors from the embedding service and LLM tag answers, keyed by text hash
//
// A re-run reuses the stored vector of every item whose text hash is unchanged (same provider, model
// and dimension), asks the caches next, and computes only the rest; an interrupted run loses nothing
// that reached a cache. The fitted LSA model is kept across runs (so unchanged items keep their
// vectors) unless --refit is given, its configuration changed, or under 80% of the catalog is unchanged.
// Torch-free.
#pragma once

#include <cstdint>
#include <string>

#include "stars/semantics/enrich_config.h"
#include "stars/semantics/llm_tagger.h"

namespace stars::semantics {

struct EnrichOptions {
  bool refit = false;              ///< refit the LSA model even when a fitted one can be reused
  std::string export_npy_dir;      ///< when set, also write text.npy and tag lists there (see export_semantics_npy)
};

struct EnrichReport {
  int32_t num_items = 0;
  int dim = 0;
  std::string provider, model, vocab_version;
  bool fitted = false;             ///< the LSA model was fitted in this run
  int64_t items_with_text = 0;
  int64_t vectors_reused = 0;      ///< copied from the previous run (text unchanged)
  int64_t vectors_cached = 0;      ///< read from the provider cache
  int64_t vectors_computed = 0;    ///< computed (or requested) in this run
  int64_t vectors_missing = 0;     ///< precomputed file without a vector (zeros, allow_missing)
  int64_t http_requests = 0, http_retries = 0;
  int64_t num_tags = 0;            ///< size of the tag vocabulary written
  int64_t items_with_tags = 0;             ///< at least one tag of any kind
  int64_t items_with_vocabulary_tags = 0;  ///< at least one controlled-vocabulary tag (rules or LLM)
  int64_t items_with_input_tags = 0;       ///< at least one tag from the input
  int64_t items_with_derived_tags = 0;     ///< at least one brand/category tag
  LlmTagStats llm;
  double seconds_fit = 0, seconds_embed = 0, seconds_tags = 0, seconds_total = 0;
  double items_per_second = 0;     ///< num_items / seconds_total

  std::string to_json() const;
};

// Enriches the dataset in `dataset_dir`. Throws stars::Error with context on failure; what reached a
// cache before the failure is kept.
EnrichReport run_enrich(const std::string& dataset_dir, const EnrichConfig& config, const EnrichOptions& options = {});

// Writes DS/semantics as numpy files into `out_dir`: text.npy (items, dim) float32, item_ids.txt (raw ids
// in row order), tag_names.txt, tag_offsets.npy (items + 1) int32 and tag_ids.npy int32 (CSR: the tags of
// item i are tag_ids[tag_offsets[i]:tag_offsets[i+1]]).
void export_semantics_npy(const std::string& dataset_dir, const std::string& out_dir);

}  // namespace stars::semantics
