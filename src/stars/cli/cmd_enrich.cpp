// `stars enrich`: semantic item tokens (paper §4.1) for a prepared dataset: a frozen text vector per item
// (offline LSA by default, an OpenAI-compatible embedding service, or precomputed vectors) and attribute
// tags (controlled-vocabulary rules, optionally an LLM), written to DS/semantics/. See docs/SEMANTICS.md.
#include <cstdio>

#include "stars/cli/commands.h"
#include "stars/core/args.h"
#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"
#include "stars/semantics/enrich_pipeline.h"

namespace stars::cli {

int run_enrich(int argc, char** argv) {
  std::string data, config_file, provider, vectors, ids, tagger, export_npy;
  std::vector<std::string> sets, tag_files;
  int dim = 0, threads = 0;
  bool refit = false, print_config = false, quiet = false;
  ArgParser p("enrich", "compute item text embeddings and attribute tags (semantic item tokens) into DS/semantics/");
  p.add("data", &data, "prepared dataset directory (from stars prepare)", true);
  p.add("config", &config_file, "JSON configuration file (keys as listed by --print-config)");
  p.add_multi("set", &sets, "override one configuration key, e.g. --set embed.lsa.dim=256");
  p.add("provider", &provider, "text provider: lsa (offline, default), openai (HTTP service) or file (precomputed)");
  p.add("dim", &dim, "vector dimension of the provider (lsa: components; openai: expected/requested dimension)");
  p.add("vectors", &vectors, "precomputed vectors (.npy, .csv, .tsv, .jsonl keyed by raw item id); implies --provider file");
  p.add("ids", &ids, "raw item ids of a .npy file's rows, one per line");
  p.add_multi("tags", &tag_files, "extra tag vocabulary file (format in docs/SEMANTICS.md)");
  p.add("tagger", &tagger, "rules (default), llm, both or none");
  p.add_flag("refit", &refit, "fit the LSA model anew even when the stored one could be reused");
  p.add("export-npy", &export_npy, "also write text.npy, item_ids.txt and tag lists into this directory");
  p.add("threads", &threads, "worker threads (0 = all cores)");
  p.add_flag("print-config", &print_config, "print the resolved configuration as JSON and exit");
  p.add_flag("quiet", &quiet, "print only errors");
  p.set_epilog(
      "The API key of an HTTP provider is read from the environment variable named by embed.openai.api_key_env\n"
      "(default OPENAI_API_KEY) and tags.llm.api_key_env; it is never written anywhere.\n\n"
      "examples:\n"
      "  stars enrich --data DS\n"
      "  stars enrich --data DS --set embed.lsa.dim=256 --export-npy DS/semantics/npy\n"
      "  OPENAI_API_KEY=... stars enrich --data DS --provider openai --set embed.openai.base_url=https://api.openai.com/v1\n"
      "  stars enrich --data DS --provider openai --set embed.openai.base_url=http://localhost:11434/v1 \\\n"
      "      --set embed.openai.model=nomic-embed-text --set embed.openai.api_key_env=\n"
      "  stars enrich --data DS --vectors item_vectors.npy --ids item_ids.txt\n"
      "  stars enrich --data DS --tags my_store.tags --tagger both --set tags.llm.model=gpt-4o-mini\n");
  if (!p.parse(argc, argv)) return 0;
  if (quiet) set_log_level(LogLevel::kWarn);

  semantics::EnrichConfig config;
  if (!config_file.empty())
    config_from_json(JsonObject::parse(read_text_file(config_file), config_file), config, config_file);
  if (!vectors.empty()) {
    config.embed.provider = "file";
    config.embed.file.path = vectors;
  }
  if (!ids.empty()) config.embed.file.ids_path = ids;
  if (!provider.empty()) config.embed.provider = provider;
  if (p.given("dim")) {
    if (config.embed.provider == "openai") config.embed.openai.dim = dim;
    else config.embed.lsa.dim = dim;
  }
  for (const auto& f : tag_files) config.tags.vocabulary_files.push_back(f);
  if (!tagger.empty()) config.tags.tagger = tagger;
  if (p.given("threads")) config.threads = threads;
  for (const auto& s : sets) config_apply_set(config, s);
  config.validate();
  if (print_config) {
    std::printf("%s\n", config_to_json(config).dump().c_str());
    return 0;
  }

  semantics::EnrichOptions options;
  options.refit = refit;
  options.export_npy_dir = export_npy;
  const semantics::EnrichReport r = semantics::run_enrich(data, config, options);
  const double n = r.num_items > 0 ? r.num_items : 1;
  STARS_INFO("enriched " << format_count(r.num_items) << " items in " << r.seconds_total << " s ("
                         << static_cast<int64_t>(r.items_per_second) << " items/s)");
  STARS_INFO("  text: " << r.provider << " " << r.model << ", dim " << r.dim << (r.fitted ? ", fitted now" : "") << "; vectors "
                        << r.vectors_computed << " computed, " << r.vectors_reused << " reused, " << r.vectors_cached
                        << " from cache, " << r.vectors_missing << " missing; " << r.items_with_text << " items have text");
  if (r.http_requests > 0) STARS_INFO("  http: " << r.http_requests << " requests, " << r.http_retries << " retries");
  STARS_INFO("  tags: " << r.num_tags << " tags (vocabulary " << r.vocab_version << "); coverage "
                        << 100.0 * r.items_with_tags / n << "% any, " << 100.0 * r.items_with_vocabulary_tags / n
                        << "% vocabulary, " << 100.0 * r.items_with_input_tags / n << "% input, "
                        << 100.0 * r.items_with_derived_tags / n << "% brand/category");
  if (r.llm.items > 0)
    STARS_INFO("  llm tags: " << r.llm.requested << " requested, " << r.llm.cached << " cached, " << r.llm.unknown_tags
                              << " unknown tags dropped, " << r.llm.invalid_answers << " invalid answers");
  STARS_INFO("  wrote " << path_join(data, "semantics") << "/ (items.tbl, provenance.json, report.json)"
                        << (export_npy.empty() ? "" : " and " + export_npy + "/"));
  return 0;
}

}  // namespace stars::cli
