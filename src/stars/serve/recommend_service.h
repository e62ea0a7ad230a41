// The service's logic, independent of HTTP: recommendations (paper §5, Figure 4: user vector lookup,
// context offset, filtered maximum inner product search, optional interleaving), live sessions
// re-encoded with the model, cold start from request events, from static user features (the model's
// cold-user vector) or popularity within context and filters, catalog changes, similar items, and
// atomic snapshot swaps. routes.cpp maps HTTP requests onto it. Thread-safe. Torch-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stars/serve/api_types.h"
#include "stars/serve/serving_state.h"
#include "stars/serve/session_store.h"

namespace stars::serve {

struct ServiceLimits {
  int max_k = 1000;                 ///< largest k of a request, >= 1
  int max_batch = 64;               ///< most requests in one batch call, >= 1
  int max_events = 1000;            ///< most events in one request, >= 1
  int max_filter_values = 10000;    ///< most values in one filter list (excluded ids, brands, ...), >= 1
  int max_id_length = 512;          ///< longest user / item id, >= 1
  int max_user_features = 256;      ///< most keys in a request's user_features, >= 1

  template <class V>
  void visit(V& v) {
    v("max_k", max_k, "largest k of a request, >= 1");
    v("max_batch", max_batch, "most requests in one batch call, >= 1");
    v("max_events", max_events, "most events (or availability updates) in one request, >= 1");
    v("max_filter_values", max_filter_values, "most values in one filter list (excluded ids, brands, ...), >= 1");
    v("max_id_length", max_id_length, "longest user / item id in bytes, >= 1");
    v("max_user_features", max_user_features, "most keys in a recommend request's user_features (static features of a new user), >= 1");
  }
  void validate() const;
};

// How users without a usable vector are served from popularity.
struct PopularityOptions {
  std::string new_users = "first_event";  ///< users unknown to the snapshot: "first_event" or "overall"

  template <class V>
  void visit(V& v) {
    v("new_users", new_users, "users unknown to the snapshot without a usable vector: \"first_event\" (what new users took first: items by the number of users whose first event they were, then by popularity within context; source new_user_popularity) or \"overall\" (popularity within context, as for known users; source popularity)");
  }
  void validate() const;
  bool first_event() const { return new_users == "first_event"; }
};

struct HistoryEntry {
  std::string item_id, title;
  int64_t ts = 0;
  uint8_t type = 0;
  bool live = false;  // from the live session rather than the snapshot
};

struct UserView {
  std::string user_id;
  bool known = false;
  std::vector<HistoryEntry> history;  // snapshot history then live events, oldest first
  uint64_t session_version = 0;
  size_t purchased = 0;
};

struct ReloadResult {
  std::string snapshot_id, dir;
  double seconds = 0.0;
  size_t replayed_updates = 0;
};

class RecommendService {
 public:
  RecommendService(StateOptions state_options, ServiceLimits limits, std::unique_ptr<SessionStore> store,
                   EncoderLoader encoder_loader, ContentEmbedderLoader embedder_loader,
                   PopularityOptions popularity = {});

  // Loads a snapshot and swaps it in atomically (the first call makes the service ready). Catalog
  // changes received after the new snapshot was exported are replayed onto it. Throws on failure and
  // keeps serving the old snapshot.
  ReloadResult load(const std::string& dir);
  // Reloads the current snapshot directory (or `dir` when not empty).
  ReloadResult reload(const std::string& dir = "");
  bool ready() const { return state() != nullptr; }
  std::shared_ptr<ServingState> state() const { return std::atomic_load(&state_); }
  std::string snapshot_dir() const;

  RecommendResponse recommend(const RecommendRequest& request);
  EventsResponse record_events(const EventsRequest& request);
  ItemPutResponse put_item(const ItemPutRequest& request);
  void update_availability(const std::vector<AvailabilityUpdate>& updates);
  RecommendResponse similar(const SimilarRequest& request);
  ItemInfo item(const std::string& item_id) const;
  UserView user(const std::string& user_id, size_t max_history = 50);
  std::vector<std::string> users(int64_t offset, int64_t limit) const;

  SessionStore& store() { return *store_; }
  const ServiceLimits& limits() const { return limits_; }
  const PopularityOptions& popularity() const { return popularity_; }

  // Observability.
  std::function<void(double seconds)> on_encode;  // each encoding at request time (live events or user_features)
  std::atomic<uint64_t> reloads{0}, reload_failures{0};

 private:
  struct UserVectors {
    std::vector<float> gen, next;             // empty: no usable vector (popularity)
    bool cold = false;                        // the cold-user vector of request features (ranked with the prior)
    std::vector<std::string> live_purchases;  // purchases in the live session / request (exclusions)
  };
  model::ServingContext resolve_context(const ServingState& st, const ContextSpec& ctx, int64_t now,
                                        RecommendResponse* resp) const;
  // True when a user without a vector is served what new users take first (unknown user, setting
  // popularity.new_users = first_event, a snapshot with first-event counts).
  bool serves_first_events(const ServingState& st, int32_t dense) const;
  UserVectors user_vectors(const ServingState& st, const RecommendRequest& req, int32_t dense, int64_t now,
                           RecommendResponse* resp);
  std::shared_ptr<ServingState> state_or_throw() const;
  void check_id(const std::string& id, const char* what) const;
  ItemPutResponse apply_put(ServingState& st, const ItemPutRequest& request);
  void apply_availability(ServingState& st, const AvailabilityUpdate& u);
  void remember(const std::string& item_id, const std::function<void(ItemPutRequest&)>& merge);
  std::vector<RecommendedItem> to_items(const Catalog::ReadView& view, const std::vector<index::Hit>& hits,
                                        const char* list) const;

  StateOptions state_options_;
  ServiceLimits limits_;
  PopularityOptions popularity_;
  std::unique_ptr<SessionStore> store_;
  EncoderLoader encoder_loader_;
  ContentEmbedderLoader embedder_loader_;
  std::shared_ptr<ServingState> state_;
  std::mutex reload_mu_;  // one load at a time
  std::mutex write_mu_;   // catalog writes, and the replay + swap
  std::string dir_;
  // Catalog changes since start (latest per item), replayed onto a newer snapshot after a swap.
  struct Overlay {
    ItemPutRequest put;
    bool has_put = false;
    int64_t received_at = 0;
  };
  std::unordered_map<std::string, Overlay> overlay_;
};

}  // namespace stars::serve
