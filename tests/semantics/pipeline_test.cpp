// `stars enrich` end to end on small prepared datasets: the artifact and its provenance, re-runs that
// recompute only changed items, the encoder for new items (reload equality), resume after an
// interrupted HTTP run, precomputed-vector validation, the vector cache and .npy export.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/core/npy.h"
#include "stars/data/dataset.h"
#include "stars/data/tiny_world.h"
#include "stars/semantics/enrich_pipeline.h"
#include "stars/semantics/file_embedder.h"
#include "stars/semantics/item_semantics.h"
#include "stars/semantics/semantic_encoder.h"
#include "stars/semantics/vector_cache.h"
#include "test_support.h"

namespace stars::semantics {
namespace {

using testing::CatalogItem;
using testing::make_catalog;
using testing::StubServer;
using testing::temp_dir;
using testing::write_dataset;

EnrichConfig small_config() {
  EnrichConfig c;
  c.embed.lsa.dim = 16;
  c.threads = 2;
  return c;
}

TEST(Enrich, TinyWorldWritesTheArtifactWithProvenance) {
  const std::string dir = temp_dir("tiny");
  data::make_tiny_world(dir);
  const EnrichReport r = run_enrich(dir, small_config());
  EXPECT_TRUE(r.fitted);
  EXPECT_EQ(r.vectors_computed, r.num_items);
  const ItemSemantics s = load_item_semantics(dir);
  auto ds = data::Dataset::open(dir);
  ASSERT_EQ(s.num_items, ds->num_items());
  EXPECT_EQ(s.dim, 16);
  EXPECT_EQ(s.provider, "lsa");
  EXPECT_EQ(s.model, r.model);
  EXPECT_FALSE(s.vocab_version.empty());
  for (int32_t i = 0; i < s.num_items; ++i) {
    double ss = 0;
    for (float x : s.vector(i)) ss += x * x;
    EXPECT_NEAR(ss, 1.0, 1e-5);
    EXPECT_EQ(s.raw_ids[i], ds->item_raw_id(i));
    EXPECT_EQ(s.text_hash[i], item_text_hash(item_text_from_dataset(*ds, i)));
    // Input tags (group, adjective) and the category/brand tags are kept.
    std::vector<std::string> tags;
    for (int32_t t : s.tags(i)) tags.push_back(s.tag_names[t]);
    for (int32_t t : ds->item_tags(i)) {
      const std::string& name = ds->tag_names()[t];
      const bool kept = std::find(tags.begin(), tags.end(), name) != tags.end() ||
                        std::find(s.tag_names.begin(), s.tag_names.end(), name) != s.tag_names.end();
      EXPECT_TRUE(kept) << name;
    }
    EXPECT_NE(std::find(tags.begin(), tags.end(), "category:Food"), tags.end());
  }
  const JsonObject prov = JsonObject::parse(read_text_file(dir + "/semantics/provenance.json"), "provenance");
  std::string provider, model;
  int dim = 0;
  prov.get("provider", provider, "p");
  prov.get("model", model, "p");
  prov.get("dim", dim, "p");
  EXPECT_EQ(provider, "lsa");
  EXPECT_EQ(model, r.model);
  EXPECT_EQ(dim, 16);
  EXPECT_TRUE(file_exists(dir + "/semantics/report.json"));
  EXPECT_TRUE(file_exists(dir + "/semantics/enrich_config.json"));
}

TEST(Enrich, ItemsWithoutTextGetZeroVectors) {
  const std::string dir = temp_dir("no_text");
  std::vector<CatalogItem> items(5);
  for (int i = 0; i < 5; ++i) items[i].id = "bare-" + std::to_string(i);
  items[4].title = "only one titled item";
  write_dataset(dir, items);
  const EnrichReport r = run_enrich(dir, small_config());
  EXPECT_EQ(r.items_with_text, 1);
  const ItemSemantics s = load_item_semantics(dir);
  for (int32_t i = 0; i < s.num_items; ++i) {
    double ss = 0;
    for (float x : s.vector(i)) ss += x * x;
    EXPECT_EQ(ss, 0.0) << "a single item has no feature in 2 items (min_df): nothing to project, item " << i;
  }
  auto c = small_config();
  c.embed.lsa.min_df = 1;
  run_enrich(dir, c);
  const ItemSemantics t = load_item_semantics(dir);
  const auto pos = std::find(t.raw_ids.begin(), t.raw_ids.end(), "bare-4");
  ASSERT_NE(pos, t.raw_ids.end());
  const int32_t titled = static_cast<int32_t>(pos - t.raw_ids.begin());
  double ss = 0;
  for (float x : t.vector(titled)) ss += x * x;
  EXPECT_NEAR(ss, 1.0, 1e-5);
}

TEST(Enrich, RerunRecomputesOnlyChangedItems) {
  const std::string dir = temp_dir("rerun");
  auto catalog = make_catalog(5, 20);
  write_dataset(dir, catalog);
  const auto first = run_enrich(dir, small_config());
  const ItemSemantics before = load_item_semantics(dir);
  const auto second = run_enrich(dir, small_config());
  EXPECT_FALSE(second.fitted) << "the fitted model is reused";
  EXPECT_EQ(second.model, first.model);
  EXPECT_EQ(second.vectors_reused, second.num_items);
  EXPECT_EQ(second.vectors_computed, 0);
  catalog[7].title = "limited edition chocolate yogurt 200g";
  catalog[42].description = "Now with more protein.";
  write_dataset(dir, catalog);  // re-prepared: the semantics folder stays
  const auto third = run_enrich(dir, small_config());
  EXPECT_FALSE(third.fitted);
  EXPECT_EQ(third.vectors_computed, 2);
  EXPECT_EQ(third.vectors_reused, third.num_items - 2);
  const ItemSemantics after = load_item_semantics(dir);
  auto ds = data::Dataset::open(dir);
  for (int32_t i = 0; i < after.num_items; ++i) {
    const auto pos = std::find(before.raw_ids.begin(), before.raw_ids.end(), after.raw_ids[i]);
    ASSERT_NE(pos, before.raw_ids.end());
    const int32_t old = static_cast<int32_t>(pos - before.raw_ids.begin());
    const bool changed = after.raw_ids[i] == catalog[7].id || after.raw_ids[i] == catalog[42].id;
    const bool same = std::memcmp(after.vector(i).data(), before.vector(old).data(), after.dim * sizeof(float)) == 0;
    EXPECT_EQ(same, !changed) << after.raw_ids[i];
  }
  EnrichOptions refit;
  refit.refit = true;
  EXPECT_TRUE(run_enrich(dir, small_config(), refit).fitted);
  auto changed_config = small_config();
  changed_config.embed.lsa.dim = 8;
  const auto r8 = run_enrich(dir, changed_config);
  EXPECT_TRUE(r8.fitted) << "a changed configuration refits";
  EXPECT_EQ(r8.vectors_computed, r8.num_items);
}

TEST(Enrich, EncoderReproducesStoredVectorsAndTags) {
  const std::string dir = temp_dir("encoder");
  data::make_tiny_world(dir);
  run_enrich(dir, small_config());
  const ItemSemantics s = load_item_semantics(dir);
  const std::string snap = temp_dir("encoder_snapshot");
  const auto copied = copy_semantic_encoder_files(dir + "/semantics", snap + "/semantics");
  EXPECT_EQ(copied.size(), 4u);
  auto enc = SemanticEncoder::load(snap + "/semantics");
  ASSERT_EQ(enc->dim(), s.dim);
  EXPECT_EQ(enc->model(), s.model);
  EXPECT_EQ(enc->tag_names(), s.tag_names);
  EXPECT_EQ(enc->vocab_version(), s.vocab_version);
  EXPECT_TRUE(enc->can_embed());
  auto ds = data::Dataset::open(dir);
  for (int32_t i = 0; i < s.num_items; ++i) {
    const ItemText it = item_text_from_dataset(*ds, i);
    const auto v = enc->embed(it);
    ASSERT_EQ(std::memcmp(v.data(), s.vector(i).data(), s.dim * sizeof(float)), 0) << "item " << i;
    const auto ids = enc->tag_ids(it);
    EXPECT_EQ(ids, s.tags(i).to_vector()) << "item " << i;
  }
  // A new product: tags from the vocabulary and the known category levels, an L2-normalised vector.
  ItemText fresh{"new-1", "Organic Vegan Dairy Item", "", {"Food", "dairy"}, "brand-unknown", {}};
  const auto v = enc->embed(fresh);
  double ss = 0;
  for (float x : v) ss += x * x;
  EXPECT_NEAR(ss, 1.0, 1e-5);
  std::vector<std::string> names;
  for (int32_t t : enc->tag_ids(fresh)) names.push_back(enc->tag_names()[t]);
  EXPECT_NE(std::find(names.begin(), names.end(), "organic"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "vegan"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "category:Food > dairy"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "brand:brand-unknown"), names.end()) << "unknown tags are dropped";
}

TEST(Enrich, HttpProviderResumesFromItsCacheAfterAnInterruption) {
  const std::string dir = temp_dir("http_resume");
  write_dataset(dir, make_catalog(4, 25));  // 100 items
  EnrichConfig c = small_config();
  c.embed.provider = "openai";
  c.embed.openai.model = "stub-embed";
  c.embed.openai.dim = 8;
  c.embed.openai.batch_size = 5;
  c.embed.openai.max_concurrency = 1;  // blocks of 10 items
  c.embed.openai.max_retries = 0;
  c.embed.openai.backoff_initial_s = 0.01;
  {
    StubServer s;
    s.behavior.fail_after = 9;  // 9 good requests (45 items), then 500s
    c.embed.openai.base_url = s.base_url();
    ErrorCode code{};
    try {
      run_enrich(dir, c);
      FAIL() << "the service failed";
    } catch (const Error& e) {
      code = e.code();
      EXPECT_NE(std::string(e.what()).find("re-run to resume"), std::string::npos) << e.what();
    }
    EXPECT_EQ(code, ErrorCode::kUnavailable);
  }
  StubServer s;
  c.embed.openai.base_url = s.base_url();
  const EnrichReport r = run_enrich(dir, c);
  EXPECT_EQ(r.vectors_cached, 40) << "4 finished blocks of 10 were cached before the failure";
  EXPECT_EQ(r.vectors_computed, 60);
  EXPECT_EQ(s.embedding_inputs.load(), 60) << "only the rest is requested";
  // The vectors equal what the service gives for each item's text.
  const ItemSemantics sem = load_item_semantics(dir);
  auto ds = data::Dataset::open(dir);
  for (int32_t i = 0; i < sem.num_items; ++i) {
    auto want = StubServer::vector_for(item_text_for_model(item_text_from_dataset(*ds, i), 4000), 8);
    l2_normalize(want.data(), 8);
    for (int j = 0; j < 8; ++j) ASSERT_NEAR(sem.vector(i)[j], want[j], 1e-6) << i;
  }
  // A re-run with unchanged texts sends nothing.
  const EnrichReport again = run_enrich(dir, c);
  EXPECT_EQ(again.vectors_reused, 100);
  EXPECT_EQ(s.embedding_inputs.load(), 60);
  EXPECT_EQ(again.provider, "openai");
  // The encoder of an HTTP provider embeds a new item with one request.
  auto enc = SemanticEncoder::load(dir + "/semantics");
  EXPECT_EQ(enc->dim(), 8);
  enc->embed(ItemText{"x", "brand new thing", "", {}, "", {}});
  EXPECT_EQ(s.embedding_inputs.load(), 61);
}

TEST(Enrich, LlmTaggerThroughThePipelineUsesItsCache) {
  const std::string dir = temp_dir("llm_pipeline");
  auto catalog = make_catalog(2, 5);
  catalog[0].title = "organic greek yogurt";
  write_dataset(dir, catalog);
  StubServer s;
  EnrichConfig c = small_config();
  c.tags.tagger = "llm";
  c.tags.llm.base_url = s.base_url();
  c.tags.llm.backoff_initial_s = 0.01;
  const EnrichReport r = run_enrich(dir, c);
  EXPECT_EQ(r.llm.requested, 10);
  EXPECT_EQ(r.llm.unknown_tags, 10);
  EXPECT_EQ(r.items_with_vocabulary_tags, 1);
  const ItemSemantics sem = load_item_semantics(dir);
  std::vector<std::string> t0;
  for (int32_t t : sem.tags(0)) t0.push_back(sem.tag_names[t]);
  EXPECT_NE(std::find(t0.begin(), t0.end(), "organic"), t0.end());
  const EnrichReport again = run_enrich(dir, c);
  EXPECT_EQ(again.llm.cached, 10);
  EXPECT_EQ(s.chat_requests.load(), 10);
}

class FileVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("file_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    catalog_ = make_catalog(2, 3);
    write_dataset(dir_ + "/ds", catalog_);
  }
  EnrichConfig config_for(const std::string& path) {
    EnrichConfig c = small_config();
    c.embed.provider = "file";
    c.embed.file.path = path;
    return c;
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  std::string error_of(const EnrichConfig& c) {
    try {
      run_enrich(dir_ + "/ds", c);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  std::string dir_;
  std::vector<CatalogItem> catalog_;
};

TEST_F(FileVectorsTest, NpyWithIdsCsvAndJsonl) {
  std::vector<float> m;
  std::string ids;
  for (size_t i = 0; i < catalog_.size(); ++i) {
    for (int j = 0; j < 3; ++j) m.push_back(static_cast<float>(i + 1) * (j == 0 ? 3.0f : 4.0f * (j == 1)));
    ids += catalog_[i].id + "\n";
  }
  write_npy_f32(dir_ + "/vecs.npy", m.data(), catalog_.size(), 3);
  write("vecs.ids.txt", ids);
  const auto r = run_enrich(dir_ + "/ds", config_for(dir_ + "/vecs.npy"));
  EXPECT_EQ(r.provider, "file");
  EXPECT_EQ(r.dim, 3);
  const ItemSemantics s = load_item_semantics(dir_ + "/ds");
  for (int32_t i = 0; i < s.num_items; ++i) {
    EXPECT_NEAR(s.vector(i)[0], 0.6f, 1e-6);
    EXPECT_NEAR(s.vector(i)[1], 0.8f, 1e-6);
  }
  std::string csv = "item_id,a,b\n", jsonl;
  for (const auto& it : catalog_) {
    csv += "\"" + it.id + "\",1.5,-2\n";
    jsonl += "{\"item_id\": \"" + it.id + "\", \"embedding\": [0, 2]}\n";
  }
  EXPECT_EQ(run_enrich(dir_ + "/ds", config_for(write("v.csv", csv))).dim, 2);
  EXPECT_EQ(run_enrich(dir_ + "/ds", config_for(write("v.jsonl", jsonl))).dim, 2);
  EXPECT_NEAR(load_item_semantics(dir_ + "/ds").vector(0)[1], 1.0f, 1e-6);
  auto enc = SemanticEncoder::load(dir_ + "/ds/semantics");
  EXPECT_FALSE(enc->can_embed());
  EXPECT_THROW(enc->embed(ItemText{"q", "new", "", {}, "", {}}), Error);
}

TEST_F(FileVectorsTest, ChecksDimensionsNanDuplicatesAndMissingItems) {
  std::string good, ragged = "item_id,a,b\n", nan = "", dup = "";
  for (const auto& it : catalog_) good += it.id + ",1,2\n";
  ragged += catalog_[0].id + ",1,2\n" + catalog_[1].id + ",1,2,3\n";
  EXPECT_NE(error_of(config_for(write("ragged.csv", ragged))).find("ragged.csv:3"), std::string::npos);
  nan = "{\"item_id\": \"" + catalog_[0].id + "\", \"vector\": [1, NaN]}\n";
  EXPECT_NE(error_of(config_for(write("nan.jsonl", nan))).find("nan.jsonl:1"), std::string::npos);
  EXPECT_NE(error_of(config_for(write("nan.csv", catalog_[0].id + ",1,nan\n"))).find("not a finite number"), std::string::npos);
  dup = good + catalog_[0].id + ",3,4\n";
  EXPECT_NE(error_of(config_for(write("dup.csv", dup))).find("appears twice"), std::string::npos);
  const std::string missing = catalog_[0].id + ",1,2\n" + catalog_[1].id + ",1,2\n";
  const std::string msg = error_of(config_for(write("missing.csv", missing)));
  EXPECT_NE(msg.find("no vector for 4 of 6 items"), std::string::npos) << msg;
  EXPECT_NE(msg.find(catalog_[2].id), std::string::npos) << "names missing ids: " << msg;
  auto c = config_for(dir_ + "/missing.csv");
  c.embed.file.allow_missing = true;
  const auto r = run_enrich(dir_ + "/ds", c);
  EXPECT_EQ(r.vectors_missing, 4);
  const ItemSemantics s = load_item_semantics(dir_ + "/ds");
  for (float x : s.vector(5)) EXPECT_EQ(x, 0.0f);
  std::vector<float> m = {1, 2, 3, 4};
  write_npy_f32(dir_ + "/short.npy", m.data(), 2, 2);
  write("short.ids.txt", catalog_[0].id + "\n");
  EXPECT_NE(error_of(config_for(dir_ + "/short.npy")).find("lists 1 ids but"), std::string::npos);
  EXPECT_NE(error_of(config_for(dir_ + "/none.npy")).find("does not exist"), std::string::npos);
}

TEST(VectorCache, KeepsCompleteRecordsAndDropsATornTail) {
  const std::string path = temp_dir("vcache") + "/v.vec";
  std::vector<float> v = {1, 2, 3, 4, 5, 6};
  {
    VectorCache c(path, "k", 3);
    c.append({11, 22}, v.data());
  }
  {
    std::FILE* f = std::fopen(path.c_str(), "ab");
    std::fwrite("torn", 1, 4, f);  // a record cut by a crash
    std::fclose(f);
  }
  {
    VectorCache c(path, "k", 3);
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.dropped(), 1u);
    ASSERT_NE(c.find(22), nullptr);
    EXPECT_EQ(c.find(22)[2], 6.0f);
    EXPECT_EQ(c.find(33), nullptr);
    c.append({33}, v.data());
  }
  VectorCache c(path, "k", 3);
  EXPECT_EQ(c.size(), 3u) << "the torn bytes were cut before appending";
  EXPECT_EQ(c.dropped(), 0u);
  VectorCache other(path, "another model", 3);
  EXPECT_EQ(other.size(), 0u) << "a cache of another model starts afresh";
}

TEST(Enrich, ExportsNumpyFiles) {
  const std::string dir = temp_dir("npy");
  data::make_tiny_world(dir);
  EnrichOptions o;
  o.export_npy_dir = dir + "/npy";
  run_enrich(dir, small_config(), o);
  const ItemSemantics s = load_item_semantics(dir);
  const NpyArray a = read_npy_f32(dir + "/npy/text.npy");
  ASSERT_EQ(a.shape, std::vector<uint64_t>({static_cast<uint64_t>(s.num_items), 16}));
  EXPECT_EQ(a.data, s.text);
  EXPECT_TRUE(file_exists(dir + "/npy/item_ids.txt"));
  EXPECT_TRUE(file_exists(dir + "/npy/tag_ids.npy"));
  EXPECT_TRUE(file_exists(dir + "/npy/tag_offsets.npy"));
}

TEST(EnrichConfig, RejectsBadValuesNamingTheKey) {
  EnrichConfig c;
  c.embed.lsa.dim = 1;
  try {
    c.validate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("embed.lsa.dim"), std::string::npos);
  }
  EnrichConfig d;
  EXPECT_THROW(config_apply_set(d, "embed.lsa.nonsense=3"), Error);
  config_apply_set(d, "embed.openai.base_url=ftp://x");
  d.embed.provider = "openai";
  EXPECT_THROW(d.validate(), Error);
}

}  // namespace
}  // namespace stars::semantics
