#include "stars/serve/semantic_content_embedder.h"

#include "stars/core/error.h"
#include "stars/semantics/semantic_encoder.h"

namespace stars::serve {
namespace {

class SemanticContentEmbedder final : public ContentEmbedder {
 public:
  explicit SemanticContentEmbedder(std::unique_ptr<semantics::SemanticEncoder> enc) : enc_(std::move(enc)) {}
  int dim() const override { return enc_->dim(); }
  ItemContent embed(const NewItemText& item) override {
    STARS_CHECK_ARG(enc_->can_embed(), "the snapshot's text provider (" << enc_->provider()
                                                                         << ") cannot embed new text: send 'text_vector'");
    semantics::ItemText t;
    t.raw_id = item.raw_id;
    t.title = item.title;
    t.description = item.description;
    t.category = item.category;
    t.brand = item.brand;
    t.tags = item.tags;
    ItemContent out;
    out.text_vector = enc_->embed(t);
    for (int32_t id : enc_->tag_ids(t)) out.tags.push_back(enc_->tag_names()[id]);
    return out;
  }

 private:
  std::unique_ptr<semantics::SemanticEncoder> enc_;
};

}  // namespace

std::unique_ptr<ContentEmbedder> load_semantic_content_embedder(const std::string& semantics_dir) {
  return std::make_unique<SemanticContentEmbedder>(semantics::SemanticEncoder::load(semantics_dir));
}

}  // namespace stars::serve
