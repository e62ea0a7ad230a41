// Warm start (`stars train --set train.init_from=OLD_MODEL`): a new model starts from the weights of a model
// trained on an earlier version of the data instead of a random initialisation. Tables indexed by a
// vocabulary are matched by name, because data prepared later numbers its items, tags, regions, calendar
// events and categorical values anew:
//   delta.weight                    items, by raw id
//   tag_emb.weight                  tags, by name (the padding row to the padding row)
//   region / ch_region .weight      regions, by name
//   cal / ch_cal .weight            calendar events, by name
//   ctx.F.weight, user_cat.F.weight event context and static user features, by feature name then value
//   user_num.weight                 the two input columns of each numeric user feature, by feature name
//   ctx_w.weight                    the context head's column block of each part (hour, ..., calendar), by part
// A row without a counterpart keeps the new model's initialisation (Δ = 0: a new item starts from its
// text and tags, as a cold-start item does at serving; in a model without text vectors Δ is the ID
// embedding, and a new item's row is initialised at random). Every other parameter is copied whole and
// must have the same shape, and the architecture must be the same (model.* keys, less dropout,
// initialisation, the attention kernel and max_tags, which leave the weights' layout and meaning as they are). Text vectors from another
// embedder or LSA fit are allowed (training adapts the copied projection) and reported. Torch-free: works
// on NamedArrays.
#pragma once

#include <string>
#include <vector>

#include "stars/model/model_dir.h"
#include "stars/model/named_arrays.h"

namespace stars::model {

struct WarmStartReport {
  int copied = 0;                      // parameters copied whole
  std::vector<std::string> matched;    // "delta.weight: 1,400 of 1,500 rows (items) matched", one line per matched table
  std::vector<std::string> fresh;      // parameters of the new model the old one lacks (initialised afresh)
  std::vector<std::string> dropped;    // parameters of the old model the new one lacks
  std::string text_space;              // not empty: the text vectors come from another embedder or fit (a warning)
  std::string summary() const;         // for the log: a line of counts, then one per matched table, fresh and unused ones
};

// The new model's weights: `fresh` (its initial state(), laid out as `to` describes) overwritten with the
// weights of `from`, the model in directory `from_dir` (named in errors). Throws kInvalidArgument when the
// architectures differ (naming the first differing key) or a parameter has another shape, and kBadData
// when `from` kept no vocabularies but a vocabulary-indexed table would need them.
NamedArrays warm_start_weights(const NamedArrays& fresh, const ModelFiles& to, const ModelFiles& from,
                               const std::string& from_dir, WarmStartReport* report = nullptr);

}  // namespace stars::model
