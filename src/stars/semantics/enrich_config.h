// Configuration of `stars enrich`: which text provider embeds the items (offline LSA, an
// OpenAI-compatible HTTP service, or a file of precomputed vectors), how tags are assigned, and the
// settings of each. Every field has a default; `stars enrich --set key=value` and `--config FILE` (JSON)
// override them, and the resolved configuration is saved to DS/semantics/enrich_config.json.
// Torch-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::semantics {

// The built-in offline text embedder: TF-IDF over word and character n-grams of title, description,
// category path and brand, reduced by a randomized truncated SVD (latent semantic analysis).
struct LsaConfig {
  int dim = 128;                    ///< output dimension (singular vectors kept), in [2, 1024]
  uint64_t seed = 42;               ///< seed of the randomized SVD; the same seed and catalog give the same vectors
  int word_ngram_max = 2;           ///< word n-grams of title and description: 1..word_ngram_max, in [1, 3]
  int char_ngram_min = 3;           ///< shortest character n-gram of title and brand words (with word boundaries), 0 = none
  int char_ngram_max = 4;           ///< longest character n-gram, in [char_ngram_min, 8]
  int min_df = 2;                   ///< keep features that occur in at least this many items, >= 1
  double max_df = 0.5;              ///< drop features that occur in more than this share of items, in (0, 1]
  int max_features = 131072;        ///< keep at most this many features, the most frequent first, >= dim
  bool sublinear_tf = true;         ///< term frequency tf -> 1 + ln(tf)
  double weight_title = 1.0;        ///< weight of the title word n-gram block, >= 0
  double weight_chars = 1.0;        ///< weight of the character n-gram block, >= 0
  double weight_description = 0.5;  ///< weight of the description word block, >= 0
  double weight_category = 0.25;    ///< weight of the category block (every path prefix and leaf words), >= 0
  double weight_brand = 0.5;        ///< weight of the brand block, >= 0
  double sigma_exponent = 0.5;      ///< item vector = U * Sigma^e before L2 normalisation: 1 = classic LSA, 0 = whitened, in [0, 1]
  int svd_oversample = 8;           ///< extra random directions of the randomized SVD, >= 0
  int svd_power_iters = 1;          ///< power iterations of the randomized SVD, in [0, 20]
  int svd_max_items = 20000;        ///< the SVD is fitted on at most this many items (a seeded sample; all items are embedded), 0 = all

  template <class V>
  void visit(V& v) {
    v("dim", dim, "output dimension (singular vectors kept), in [2, 1024]");
    v("seed", seed, "seed of the randomized SVD");
    v("word_ngram_max", word_ngram_max, "word n-grams 1..word_ngram_max of title and description, in [1, 3]");
    v("char_ngram_min", char_ngram_min, "shortest character n-gram of title and brand words, 0 = no character n-grams");
    v("char_ngram_max", char_ngram_max, "longest character n-gram, in [char_ngram_min, 8]");
    v("min_df", min_df, "keep features found in at least this many items, >= 1");
    v("max_df", max_df, "drop features found in more than this share of items, in (0, 1]");
    v("max_features", max_features, "keep at most this many features (most frequent first), >= dim");
    v("sublinear_tf", sublinear_tf, "term frequency tf -> 1 + ln(tf)");
    v("weight_title", weight_title, "weight of the title word block, >= 0");
    v("weight_chars", weight_chars, "weight of the character n-gram block, >= 0");
    v("weight_description", weight_description, "weight of the description word block, >= 0");
    v("weight_category", weight_category, "weight of the category block, >= 0");
    v("weight_brand", weight_brand, "weight of the brand block, >= 0");
    v("sigma_exponent", sigma_exponent, "item vector = U Sigma^e: 1 = classic LSA, 0 = whitened, in [0, 1]");
    v("svd_oversample", svd_oversample, "extra random directions of the randomized SVD, >= 0");
    v("svd_power_iters", svd_power_iters, "power iterations of the randomized SVD, in [0, 20]");
    v("svd_max_items", svd_max_items, "fit the SVD on at most this many items (seeded sample), 0 = all");
  }
  void validate() const;
};

// Connection settings shared by the OpenAI-compatible clients (embeddings and chat completions).
struct HttpClientConfig {
  std::string base_url = "http://127.0.0.1:8000/v1";  ///< API root; requests go to <base_url>/embeddings or /chat/completions
  std::string api_key_env = "OPENAI_API_KEY";  ///< environment variable holding the API key (never stored); unset = no key
  int max_concurrency = 4;          ///< requests in flight at once, in [1, 64]
  int max_retries = 5;              ///< retries of a request after 429, 5xx or a network error, in [0, 20]
  double backoff_initial_s = 0.5;   ///< first retry delay in seconds (doubles each retry, with jitter), > 0
  double backoff_max_s = 30.0;      ///< longest retry delay in seconds, >= backoff_initial_s
  double connect_timeout_s = 10.0;  ///< connection timeout in seconds, > 0
  double read_timeout_s = 120.0;    ///< timeout waiting for a reply in seconds, > 0
  int max_text_chars = 4000;        ///< item text sent is cut to this many bytes (at a UTF-8 boundary), >= 16

  template <class V>
  void visit_client(V& v) {
    v("base_url", base_url, "API root, e.g. https://api.openai.com/v1 or http://localhost:11434/v1");
    v("api_key_env", api_key_env, "environment variable holding the API key (never written anywhere)");
    v("max_concurrency", max_concurrency, "requests in flight at once, in [1, 64]");
    v("max_retries", max_retries, "retries after 429, 5xx or network errors, in [0, 20]");
    v("backoff_initial_s", backoff_initial_s, "first retry delay in seconds, doubled per retry, > 0");
    v("backoff_max_s", backoff_max_s, "longest retry delay in seconds");
    v("connect_timeout_s", connect_timeout_s, "connection timeout in seconds, > 0");
    v("read_timeout_s", read_timeout_s, "reply timeout in seconds, > 0");
    v("max_text_chars", max_text_chars, "item text sent is cut to this many bytes, >= 16");
  }
  void validate_client(const std::string& prefix) const;
};

// OpenAI-compatible POST <base_url>/embeddings (OpenAI, vLLM, llama.cpp server, Ollama, TEI).
struct HttpEmbedConfig : HttpClientConfig {
  std::string model = "text-embedding-3-small";  ///< model name sent in each request
  int dim = 0;                      ///< expected vector dimension; 0 = take it from the first reply
  bool send_dimensions = false;     ///< send "dimensions": dim (models that can shorten vectors, e.g. text-embedding-3)
  int batch_size = 64;              ///< texts per request, in [1, 2048]

  template <class V>
  void visit(V& v) {
    visit_client(v);
    v("model", model, "embedding model name");
    v("dim", dim, "expected vector dimension, 0 = from the first reply");
    v("send_dimensions", send_dimensions, "send \"dimensions\": dim in requests");
    v("batch_size", batch_size, "texts per request, in [1, 2048]");
  }
  void validate() const;
};

// Vectors computed elsewhere, keyed by raw item id.
struct FileVectorsConfig {
  std::string path;                 ///< .npy (with ids_path), .csv (item_id, v0, v1, ...) or .jsonl ({"item_id", "vector"})
  std::string ids_path;             ///< for .npy: raw item ids, one per line (default: <path>.ids.txt, then <stem>.ids.txt)
  bool allow_missing = false;       ///< items without a vector get zeros instead of an error

  template <class V>
  void visit(V& v) {
    v("path", path, ".npy (+ ids file), .csv or .jsonl file of vectors keyed by raw item id");
    v("ids_path", ids_path, "raw item ids of the .npy rows, one per line");
    v("allow_missing", allow_missing, "items without a vector get zeros instead of an error");
  }
  void validate() const;
};

struct EmbedConfig {
  std::string provider = "lsa";     ///< "lsa" (offline, default), "openai" (HTTP service) or "file" (precomputed)
  LsaConfig lsa;
  HttpEmbedConfig openai;
  FileVectorsConfig file;

  template <class V>
  void visit(V& v) {
    v("provider", provider, "lsa | openai | file");
    v("lsa", lsa, "");
    v("openai", openai, "");
    v("file", file, "");
  }
  void validate() const;
};

// Tags from an LLM through an OpenAI-compatible POST <base_url>/chat/completions.
struct LlmTagConfig : HttpClientConfig {
  std::string model = "gpt-4o-mini";  ///< chat model name
  double temperature = 0.0;           ///< sampling temperature, in [0, 2]
  int max_tokens = 256;               ///< longest answer in tokens, >= 16
  bool json_mode = true;              ///< send response_format {"type": "json_object"}

  template <class V>
  void visit(V& v) {
    visit_client(v);
    v("model", model, "chat model name");
    v("temperature", temperature, "sampling temperature, in [0, 2]");
    v("max_tokens", max_tokens, "longest answer in tokens, >= 16");
    v("json_mode", json_mode, "ask for a JSON object answer (response_format)");
  }
  void validate() const;
};

struct TagConfig {
  std::string tagger = "rules";       ///< "rules" (vocabulary patterns), "llm" (chat model), "both" (union), "none"
  std::vector<std::string> vocabularies = {"grocery", "beauty", "sporting_goods"};  ///< built-in vocabularies to load
  std::vector<std::string> vocabulary_files;  ///< extra vocabulary files (see tag_vocabulary.h)
  bool brand_tags = true;             ///< add "brand:<name>" tags
  bool category_tags = true;          ///< add "category:<path prefix>" tags for the levels of the category path
  int category_tag_depth = 0;         ///< deepest category level made a tag, 0 = all levels
  int derived_min_items = 2;          ///< brand and category tags held by fewer items are dropped, >= 1
  bool keep_input_tags = true;        ///< keep the tags given in the input (genres, attribute ids)
  LlmTagConfig llm;

  template <class V>
  void visit(V& v) {
    v("tagger", tagger, "rules | llm | both | none");
    v("vocabularies", vocabularies, "built-in vocabularies: grocery, beauty, sporting_goods");
    v("vocabulary_files", vocabulary_files, "extra vocabulary files");
    v("brand_tags", brand_tags, "add brand:<name> tags");
    v("category_tags", category_tags, "add category:<path prefix> tags");
    v("category_tag_depth", category_tag_depth, "deepest category level made a tag, 0 = all");
    v("derived_min_items", derived_min_items, "brand/category tags held by fewer items are dropped, >= 1");
    v("keep_input_tags", keep_input_tags, "keep the tags given in the input");
    v("llm", llm, "");
  }
  void validate() const;
};

struct EnrichConfig {
  EmbedConfig embed;
  TagConfig tags;
  int threads = 0;                    ///< worker threads, 0 = all cores (STARS_THREADS)

  template <class V>
  void visit(V& v) {
    v("embed", embed, "");
    v("tags", tags, "");
    v("threads", threads, "worker threads, 0 = default");
  }
  void validate() const;
};

}  // namespace stars::semantics
