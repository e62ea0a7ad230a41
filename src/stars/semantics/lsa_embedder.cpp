#include "stars/semantics/lsa_embedder.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/random.h"
#include "stars/core/table_file.h"
#include "stars/core/thread_pool.h"
#include "stars/semantics/detail/axpy.h"
#include "stars/semantics/randomized_svd.h"

namespace stars::semantics {
namespace {

constexpr uint32_t kNotCached = 0xFFFFFFFFu;
constexpr size_t kMaxCachedFeatures = size_t{48} << 20;  // 48M entries = 768 MB

struct Scratch {
  explicit Scratch(const LsaConfig& c) : extractor(c) {}
  FeatureExtractor extractor;
  std::vector<FeatureCount> features;
  std::vector<int32_t> cols;
  std::vector<float> vals;
};

}  // namespace

double l2_normalize(float* v, int dim) {
  double ss = 0;
  for (int j = 0; j < dim; ++j) ss += static_cast<double>(v[j]) * v[j];
  if (ss <= 0) return 0;
  const double norm = std::sqrt(ss);
  const float inv = static_cast<float>(1.0 / norm);
  for (int j = 0; j < dim; ++j) v[j] *= inv;
  return norm;
}

std::unique_ptr<LsaEmbedder> LsaEmbedder::fit(const std::vector<ItemText>& items, const LsaConfig& config, int threads,
                                              std::vector<float>* vectors) {
  config.validate();
  threads = std::max(1, threads);
  std::unique_ptr<LsaEmbedder> e(new LsaEmbedder());
  e->config_ = config;
  e->threads_ = threads;
  e->fit_items_ = static_cast<int64_t>(items.size());
  Timer timer;
  // Pass 1 extracts every item's features for the document frequencies and keeps them (up to
  // kMaxCachedFeatures entries in all) so that building the matrix does not extract them again.
  const size_t n = items.size();
  std::vector<FeatureExtractor> extractors(threads, FeatureExtractor(config));
  std::vector<std::vector<FeatureCount>> cache(threads);
  std::vector<uint64_t> cache_begin(n, 0);
  std::vector<uint32_t> cache_len(n, kNotCached);
  std::vector<int32_t> cache_worker(n, 0);
  std::atomic<size_t> cached_total{0};
  e->tfidf_ = TfidfModel::fit(
      n,
      [&](size_t i, int w, std::vector<FeatureCount>* out) {
        extractors[w].extract(items[i], out);
        if (cached_total.fetch_add(out->size()) + out->size() <= kMaxCachedFeatures) {
          cache_worker[i] = w;
          cache_begin[i] = cache[w].size();
          cache_len[i] = static_cast<uint32_t>(out->size());
          cache[w].insert(cache[w].end(), out->begin(), out->end());
        }
      },
      config, threads);
  const double t_vocab = timer.seconds();

  // The weighted tf-idf matrix X (items, features), built in row blocks by the workers.
  const size_t n_blocks = std::min<size_t>(n, static_cast<size_t>(threads) * 8);
  std::vector<CsrMatrix> blocks(std::max<size_t>(n_blocks, 1));
  parallel_for(n_blocks, threads, [&](size_t bb, size_t be) {
    Scratch s(config);
    for (size_t b = bb; b < be; ++b) {
      CsrMatrix& blk = blocks[b];
      for (size_t i = n * b / n_blocks; i < n * (b + 1) / n_blocks; ++i) {
        if (cache_len[i] != kNotCached) {
          e->tfidf_.transform(cache[cache_worker[i]].data() + cache_begin[i], cache_len[i], &s.cols, &s.vals);
        } else {
          s.extractor.extract(items[i], &s.features);
          e->tfidf_.transform(s.features, &s.cols, &s.vals);
        }
        blk.indices.insert(blk.indices.end(), s.cols.begin(), s.cols.end());
        blk.values.insert(blk.values.end(), s.vals.begin(), s.vals.end());
        blk.indptr.push_back(blk.indices.size());
      }
    }
  });
  CsrMatrix x;
  x.rows = static_cast<int64_t>(n);
  x.cols = static_cast<int64_t>(e->tfidf_.num_features());
  for (size_t b = 0; b < n_blocks; ++b) {
    const uint64_t base = x.indices.size();
    for (size_t r = 1; r < blocks[b].indptr.size(); ++r) x.indptr.push_back(base + blocks[b].indptr[r]);
    x.indices.insert(x.indices.end(), blocks[b].indices.begin(), blocks[b].indices.end());
    x.values.insert(x.values.end(), blocks[b].values.begin(), blocks[b].values.end());
    CsrMatrix().indices.swap(blocks[b].indices);
  }
  std::vector<std::vector<FeatureCount>>().swap(cache);
  const double t_matrix = timer.seconds();

  // Large catalogs: the SVD sees a seeded sample of rows (tf-idf statistics still come from every item).
  SvdResult svd;
  if (config.svd_max_items > 0 && n > static_cast<size_t>(config.svd_max_items)) {
    std::vector<int64_t> rows(n);
    for (size_t i = 0; i < n; ++i) rows[i] = static_cast<int64_t>(i);
    Rng rng(derive_seed(config.seed, 1));
    for (size_t i = 0; i < static_cast<size_t>(config.svd_max_items); ++i) std::swap(rows[i], rows[i + rng.uniform(n - i)]);
    rows.resize(config.svd_max_items);
    std::sort(rows.begin(), rows.end());
    CsrMatrix sample;
    sample.rows = static_cast<int64_t>(rows.size());
    sample.cols = x.cols;
    for (int64_t r : rows) {
      sample.indices.insert(sample.indices.end(), x.indices.begin() + x.indptr[r], x.indices.begin() + x.indptr[r + 1]);
      sample.values.insert(sample.values.end(), x.values.begin() + x.indptr[r], x.values.begin() + x.indptr[r + 1]);
      sample.indptr.push_back(sample.indices.size());
    }
    svd = randomized_svd(sample, config.dim, config.svd_oversample, config.svd_power_iters, config.seed, threads);
  } else {
    svd = randomized_svd(x, config.dim, config.svd_oversample, config.svd_power_iters, config.seed, threads);
  }
  e->projection_ = std::move(svd.components);
  e->sigma_.assign(config.dim, 0.0f);
  for (int j = 0; j < config.dim; ++j) e->sigma_[j] = static_cast<float>(svd.singular_values[j]);
  e->rank_ = svd.rank;
  if (e->rank_ < config.dim)
    STARS_WARN("lsa: the catalog supports only " << e->rank_ << " of " << config.dim
                                                 << " components (few items or features); the rest are zero");
  e->finish_setup();
  if (vectors) {
    const int k = config.dim;
    vectors->assign(n * static_cast<size_t>(k), 0.0f);
    parallel_for(n, threads, [&](size_t b, size_t end) {
      for (size_t i = b; i < end; ++i)
        e->project(x.indices.data() + x.indptr[i], x.values.data() + x.indptr[i], x.indptr[i + 1] - x.indptr[i],
                   vectors->data() + i * k);
    }, 64);
  }
  STARS_INFO("lsa: " << items.size() << " items, " << e->tfidf_.num_features() << " features, " << x.values.size()
                     << " non-zeros; vocabulary " << t_vocab << " s, matrix " << (t_matrix - t_vocab) << " s, SVD "
                     << (timer.seconds() - t_matrix) << " s");
  return e;
}

void LsaEmbedder::finish_setup() {
  scale_.assign(config_.dim, 0.0f);
  for (int j = 0; j < rank_; ++j) scale_[j] = static_cast<float>(std::pow(static_cast<double>(sigma_[j]), config_.sigma_exponent - 1.0));
  const uint64_t h = checksum64(projection_.data(), projection_.size() * sizeof(float),
                                checksum64(tfidf_.keys().data(), tfidf_.keys().size() * sizeof(uint64_t)));
  char buf[96];
  std::snprintf(buf, sizeof(buf), "lsa-w%d-c%d%d-d%d-%08llx", config_.word_ngram_max, config_.char_ngram_min,
                config_.char_ngram_max, config_.dim, static_cast<unsigned long long>(h & 0xffffffffULL));
  model_ = buf;
}

void LsaEmbedder::project(const int32_t* cols, const float* vals, size_t nnz, float* out) const {
  const int k = config_.dim;
  std::fill(out, out + k, 0.0f);
  for (size_t i = 0; i < nnz; ++i) detail::axpy(vals[i], projection_.data() + static_cast<size_t>(cols[i]) * k, out, k);
  for (int j = 0; j < k; ++j) out[j] *= scale_[j];
  l2_normalize(out, k);
}

void LsaEmbedder::embed_one(const ItemText& item, float* out) const {
  Scratch s(config_);
  s.extractor.extract(item, &s.features);
  tfidf_.transform(s.features, &s.cols, &s.vals);
  project(s.cols.data(), s.vals.data(), s.cols.size(), out);
}

void LsaEmbedder::embed(const std::vector<const ItemText*>& items, float* out) {
  const int k = config_.dim;
  parallel_for(items.size(), threads_, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) embed_one(*items[i], out + i * k);
  }, 64);
}

void LsaEmbedder::save(const std::string& path) const {
  TableWriter w("lsa_embedder", kLsaModelVersion);
  w.add_column("keys", tfidf_.keys());
  w.add_column("idf", tfidf_.idf());
  w.add_column("projection", projection_);
  w.add_column("sigma", sigma_);
  w.set_meta("config", config_to_json(config_).dump(-1));
  w.set_meta("rank", std::to_string(rank_));
  w.set_meta("fit_items", std::to_string(fit_items_));
  w.set_meta("model", model_);
  w.set_meta("feature_hash", kFeatureHashVersion);
  w.write(path);
}

std::unique_ptr<LsaEmbedder> LsaEmbedder::load(const std::string& path) {
  try {
    TableReader r(path, "lsa_embedder", kLsaModelVersion);
    STARS_CHECK_DATA(r.meta("feature_hash") == kFeatureHashVersion,
                     "features were hashed with '" << r.meta("feature_hash") << "', this program hashes with '"
                                                   << kFeatureHashVersion << "' (re-run stars enrich --refit)");
    std::unique_ptr<LsaEmbedder> e(new LsaEmbedder());
    config_from_json(JsonObject::parse(r.meta("config"), path + " meta.config"), e->config_, "lsa config");
    e->config_.validate();
    auto keys = r.column<uint64_t>("keys").to_vector();
    auto idf = r.column<float>("idf").to_vector();
    e->tfidf_ = TfidfModel(std::move(keys), std::move(idf), e->config_);
    e->projection_ = r.column<float>("projection").to_vector();
    STARS_CHECK_DATA(e->projection_.size() == e->tfidf_.num_features() * static_cast<size_t>(e->config_.dim),
                     "projection has " << e->projection_.size() << " values, expected " << e->tfidf_.num_features()
                                       << " features x " << e->config_.dim);
    e->sigma_ = r.column<float>("sigma").to_vector();
    STARS_CHECK_DATA(e->sigma_.size() == static_cast<size_t>(e->config_.dim),
                     "sigma has " << e->sigma_.size() << " values, expected " << e->config_.dim);
    e->rank_ = std::stoi(r.meta("rank", "0"));
    STARS_CHECK_DATA(e->rank_ >= 0 && e->rank_ <= e->config_.dim, "rank " << e->rank_ << " out of range");
    e->fit_items_ = std::stoll(r.meta("fit_items", "0"));
    e->finish_setup();
    STARS_CHECK_DATA(e->model_ == r.meta("model"),
                     "model id " << e->model_ << " does not match the stored " << r.meta("model"));
    return e;
  } catch (const Error& err) {
    throw err.with_context("loading LSA embedder " + path);
  } catch (const std::exception& err) {
    throw Error(ErrorCode::kCorrupt, "loading LSA embedder " + path + ": " + err.what());
  }
}

}  // namespace stars::semantics
