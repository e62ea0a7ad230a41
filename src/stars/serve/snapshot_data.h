// The content of a serving snapshot (written by `stars export`, read by `stars serve`), as plain owned
// arrays: user vectors h_gen / h_next (paper §4.3) with each user's recent history and static features
// for live re-encoding, item serving vectors with the metadata filters need, vocabularies, the calendar,
// and popularity within context for users without history. SnapshotWriter turns it into files;
// Snapshot (snapshot.h) reads them back memory-mapped. Torch-free.
//
// Letters: U users, N items, D serving dimension, E history events, F event context features.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stars::serve {

constexpr uint32_t kSnapshotVersion = 1;

// Files of a snapshot directory.
namespace snapshot_files {
constexpr const char* kManifest = "manifest.json";
constexpr const char* kItems = "items.tbl";
constexpr const char* kUsers = "users.tbl";
constexpr const char* kVocab = "vocab.tbl";
constexpr const char* kContext = "context.tbl";
constexpr const char* kModelDir = "model";          // copy of the trained model directory (encoder, context head)
constexpr const char* kSemanticsDir = "semantics";  // copy of the fitted text embedder / tagger files
constexpr const char* kUserGenNpy = "user_h_gen.npy";
constexpr const char* kUserNextNpy = "user_h_next.npy";
constexpr const char* kItemVectorsNpy = "item_vectors.npy";
}  // namespace snapshot_files

// A named categorical vocabulary (code 0 = missing "").
struct NamedVocab {
  std::string name;
  std::vector<std::string> values;
};

struct SnapshotManifest {
  uint32_t version = kSnapshotVersion;
  std::string snapshot_id;        // random hex, unique per export
  int64_t created_at = 0;         // unix seconds
  int dim = 0;                    // D
  int32_t num_users = 0;          // U
  int32_t num_items = 0;          // N
  int history_len = 0;            // most recent events kept per user
  bool has_time = true;           // the data has real timestamps (else ts are positions)
  bool has_model = false;         // model/ holds the encoder (live sessions, context offsets, new items)
  bool has_semantics = false;     // semantics/ holds the text embedder for new items
  bool exclude_seen = false;      // the model never ranks a user's earlier items (train.exclude_history):
                                  // requests leave out the user's purchases unless they say otherwise
  std::string source_dataset;     // provenance
  std::string source_model;
  double export_seconds = 0.0;
  double users_per_second = 0.0;
  std::string config_json = "{}";  // the resolved export configuration
};

std::string manifest_to_json(const SnapshotManifest& m);
SnapshotManifest manifest_from_json(const std::string& text, const std::string& where);

struct SnapshotData {
  SnapshotManifest manifest;

  // ---- items (N)
  std::vector<std::string> item_raw_id, item_title, item_category;  // category = full path "A > B > C"
  std::vector<int32_t> item_subclass;   // index into subclasses, -1 = none
  std::vector<int32_t> item_department; // index into departments, -1 = none
  std::vector<int32_t> item_brand;      // index into brands, 0 = none
  std::vector<float> item_price;        // NaN = unknown
  std::vector<uint8_t> item_in_stock;
  std::vector<uint64_t> item_region_offsets{0};  // CSR (N + 1): region codes where sold; empty = everywhere
  std::vector<int32_t> item_region_ids;
  std::vector<uint64_t> item_tag_offsets{0};     // CSR (N + 1) into tags
  std::vector<int32_t> item_tag_ids;
  std::vector<float> item_vectors;      // (N, D) serving vectors
  std::vector<float> item_popularity;   // (N) recency-weighted event counts
  std::vector<float> item_first_popularity;  // (N or empty = unknown, as before it existed) users whose first event (time order) is the item

  // ---- users (U)
  std::vector<std::string> user_raw_id;
  std::vector<float> user_h_gen, user_h_next;  // (U, D)
  std::vector<uint64_t> hist_offsets{0};       // CSR (U + 1) over the recent history, oldest first
  std::vector<int32_t> hist_item;              // (E)
  std::vector<int64_t> hist_ts;                // (E)
  std::vector<uint8_t> hist_type;              // (E) data::EventType
  std::vector<int32_t> hist_region;            // (E)
  std::vector<int32_t> hist_context;           // (E, F)
  std::vector<uint64_t> purchased_offsets{0};  // CSR (U + 1): distinct items bought (all time)
  std::vector<int32_t> purchased_items;
  std::vector<float> user_numeric;             // (U, #numeric features), NaN = missing
  std::vector<int32_t> user_categorical;       // (U, #categorical features), 0 = missing

  // ---- vocabularies
  std::vector<std::string> subclasses, departments, brands, regions, tags, calendar_events;
  std::vector<std::string> user_numeric_names;
  std::vector<NamedVocab> user_categorical_vocabs;  // one per categorical user feature
  std::vector<NamedVocab> event_context;     // one per event context column (F)

  // ---- context: calendar and popularity within context
  std::vector<int64_t> cal_day;                  // days since epoch
  std::vector<int32_t> cal_region;               // 0 = everywhere
  std::vector<uint64_t> cal_offsets{0};          // CSR over calendar rows: active event ids
  std::vector<int32_t> cal_events;
  std::vector<uint64_t> region_pop_offsets{0};   // CSR over region codes: (item, score)
  std::vector<int32_t> region_pop_item;
  std::vector<float> region_pop_score;
  std::vector<uint64_t> event_pop_offsets{0};    // CSR over calendar event ids: (item, score)
  std::vector<int32_t> event_pop_item;
  std::vector<float> event_pop_score;
};

}  // namespace stars::serve
