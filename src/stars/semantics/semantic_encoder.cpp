#include "stars/semantics/semantic_encoder.h"

#include "stars/core/config.h"
#include "stars/core/error.h"
#include "stars/core/mmap_file.h"
#include "stars/semantics/http_embedder.h"
#include "stars/semantics/lsa_embedder.h"

namespace stars::semantics {

SemanticEncoder::~SemanticEncoder() = default;

std::unique_ptr<SemanticEncoder> SemanticEncoder::load(const std::string& dir) {
  std::unique_ptr<SemanticEncoder> enc(new SemanticEncoder());
  // ---- text embedder
  {
    const std::string path = path_join(dir, kEmbedderFile);
    const JsonObject j = JsonObject::parse(read_text_file(path), path);
    j.get("provider", enc->provider_, path);
    j.get("model", enc->model_, path);
    j.get("dim", enc->dim_, path);
    STARS_CHECK_DATA(enc->dim_ > 0, path << ": dim must be positive, got " << enc->dim_);
    JsonObject cfg;
    if (enc->provider_ == "lsa") {
      auto lsa = LsaEmbedder::load(path_join(dir, kLsaModelFile));
      STARS_CHECK_DATA(lsa->model() == enc->model_ && lsa->dim() == enc->dim_,
                       path << ": names model " << enc->model_ << " (dim " << enc->dim_ << ") but " << kLsaModelFile
                            << " holds " << lsa->model() << " (dim " << lsa->dim() << ")");
      enc->lsa_ = lsa.get();
      enc->embedder_ = std::move(lsa);
    } else if (enc->provider_ == "openai") {
      j.get_object("config", cfg, path);
      HttpEmbedConfig c;
      config_from_json(cfg, c, path + " config");
      STARS_CHECK_DATA(c.dim == enc->dim_, path << ": config.dim " << c.dim << " differs from dim " << enc->dim_);
      enc->embedder_ = std::make_unique<HttpEmbedder>(c);
    } else {
      STARS_CHECK_DATA(enc->provider_ == "file", path << ": unknown provider '" << enc->provider_ << "' (expected lsa, openai or file)");
    }
  }
  // ---- tagger
  {
    const std::string path = path_join(dir, kTaggerFile);
    const JsonObject j = JsonObject::parse(read_text_file(path), path);
    JsonObject cfg;
    j.get_object("config", cfg, path);
    TagConfig tc;
    config_from_json(cfg, tc, path + " config");
    // New items are tagged offline by the vocabulary rules; the LLM tagger is a batch tool.
    if (tc.tagger == "llm" || tc.tagger == "both") tc.tagger = "rules";
    j.get("vocab_version", enc->vocab_version_, path);
    j.get("tag_names", enc->tag_names_, path);
    const std::string vpath = path_join(dir, kVocabularyFile);
    TagVocabulary vocab = TagVocabulary::parse(read_text_file(vpath), vpath);
    enc->tagger_ = std::make_unique<ItemTagger>(std::move(vocab), tc);
    for (size_t i = 0; i < enc->tag_names_.size(); ++i) enc->tag_id_.emplace(enc->tag_names_[i], static_cast<int32_t>(i));
  }
  return enc;
}

bool SemanticEncoder::can_embed() const { return embedder_ != nullptr && embedder_->can_embed_new_text(); }

void SemanticEncoder::embed(const ItemText& item, float* out) const {
  if (lsa_) {
    lsa_->embed_one(item, out);
    return;
  }
  if (!can_embed())
    STARS_THROW(kUnavailable, "the text provider '" << provider_ << "' cannot embed new items (precomputed vectors); "
                                                    << "re-run stars enrich with the item in the vector file");
  embedder_->embed({&item}, out);
}

std::vector<float> SemanticEncoder::embed(const ItemText& item) const {
  std::vector<float> v(dim_);
  embed(item, v.data());
  return v;
}

std::vector<std::string> SemanticEncoder::tags(const ItemText& item) const { return tagger_->tags(item, nullptr); }

std::vector<int32_t> SemanticEncoder::tag_ids(const ItemText& item) const {
  std::vector<int32_t> ids;
  for (const auto& t : tags(item)) {
    auto it = tag_id_.find(t);
    if (it != tag_id_.end()) ids.push_back(it->second);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> copy_semantic_encoder_files(const std::string& src_dir, const std::string& dst_dir) {
  make_directories(dst_dir);
  std::vector<std::string> copied;
  for (const char* name : {kEmbedderFile, kLsaModelFile, kTaggerFile, kVocabularyFile}) {
    const std::string src = path_join(src_dir, name);
    if (!file_exists(src)) {
      STARS_CHECK_ARG(std::string(name) == kLsaModelFile, src << " is missing (run stars enrich first)");
      continue;
    }
    const MmapFile f(src);
    AtomicFileWriter w(path_join(dst_dir, name));
    w.write(f.data(), f.size());
    w.commit();
    copied.emplace_back(name);
  }
  return copied;
}

}  // namespace stars::semantics
