// The model directory written by `stars train` and read by load_encoder, export and evaluation:
//
//   MODEL/config.json       format + version, resolved model config, feature schema, training config, serving dim
//   MODEL/features.tbl      item content (frozen text vectors, tag lists and names), item ids, the
//                           vocabularies of the categorical codes, and the calendar copy
//   MODEL/weights.tbl       network weights (named float arrays) of the best validation epoch
//   MODEL/checkpoint.tbl    latest epoch: weights + optimizer + schedule + sampler state (training only)
//   MODEL/train_log.jsonl   one JSON object per epoch;   MODEL/metrics.json   test metrics at the end
// Torch-free.
#pragma once

#include <string>
#include <vector>

#include "stars/model/calendar_index.h"
#include "stars/model/feature_schema.h"
#include "stars/model/item_content.h"
#include "stars/model/model_config.h"
#include "stars/model/named_arrays.h"

namespace stars::data {
class Dataset;
}

namespace stars::model {

constexpr int kModelFormatVersion = 1;
// The weights' array holding the cold-user head's item prior (StarsNet::set_cold_user_prior): data, not a
// trained parameter.
constexpr const char* kColdUserPriorArray = "cold_user_prior";

// Names of the categorical codes the model's tables are indexed by, as the training dataset numbered
// them (code 0 = none/missing): so that a model can be matched, by name, with data prepared later
// (warm_start.h).
struct ModelVocab {
  std::vector<std::string> regions;
  std::vector<std::string> calendar_events;
  std::vector<std::vector<std::string>> context;           // per event context column (schema order)
  std::vector<std::vector<std::string>> user_categorical;  // per static categorical user feature (schema order)
  bool kept = false;  // false: a model written before vocabularies were kept
};

struct ModelFiles {
  ModelConfig config;             // resolved: switches without data are off
  FeatureSchema schema;
  ItemContent content;
  CalendarIndex calendar;
  NamedArrays weights;
  std::string train_config_json = "{}";  // the training configuration, kept for the record
  // Raw ids of items [0, num_items) in the dataset the model was trained on (features.tbl column
  // "item_ids"); empty for models written before they were kept.
  std::vector<std::string> item_ids;
  ModelVocab vocab;
};

std::string model_config_path(const std::string& dir);
std::string model_weights_path(const std::string& dir);
std::string model_checkpoint_path(const std::string& dir);

// Writes config.json and features.tbl (not the weights).
void save_model_description(const std::string& dir, const ModelFiles& files);
void save_model_weights(const std::string& dir, const NamedArrays& weights);
// Reads config.json, features.tbl and weights.tbl; errors name the file.
ModelFiles load_model_files(const std::string& dir, bool with_weights = true);

// Raw ids of a dataset's items in dense-id order, as a model keeps them.
std::vector<std::string> dataset_item_ids(const data::Dataset& dataset);
// A dataset's vocabularies, as a model keeps them.
ModelVocab dataset_vocab(const data::Dataset& dataset);

// Checks that `dataset` numbers its items as the model in `dir` was trained to: item i has the same raw id
// in both for every item of the dataset (the model may know more). A model scored, exported or resumed on a
// dataset prepared from other items would otherwise give every item another item's vector without a
// sound. The error names both files, the first item that differs and how many do. Models written before
// item ids were kept are checked by count only.
void check_model_items(const std::string& dir, const data::Dataset& dataset);

}  // namespace stars::model
