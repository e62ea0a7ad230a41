#include "stars/serve/recommend_service.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cmath>
#include <ctime>
#include <optional>
#include <tuple>
#include <unordered_set>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/core/time.h"
#include "stars/data/dataset.h"
#include "stars/serve/live_input.h"

namespace stars::serve {

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::kNext: return "next";
    case Strategy::kGen: return "gen";
    case Strategy::kRoundRobin: return "rr";
  }
  return "?";
}

namespace {

int64_t now_s() { return static_cast<int64_t>(std::time(nullptr)); }

// Round-robin interleaving of two ranked lists (paper §5): next, gen, next, gen, ... skipping duplicates.
std::vector<std::pair<index::Hit, const char*>> interleave(const std::vector<index::Hit>& a, const char* la,
                                                          const std::vector<index::Hit>& b, const char* lb, int k) {
  std::vector<std::pair<index::Hit, const char*>> out;
  std::unordered_set<int32_t> seen;
  for (size_t i = 0; static_cast<int>(out.size()) < k && (i < a.size() || i < b.size()); ++i) {
    if (i < a.size() && seen.insert(a[i].id).second) out.push_back({a[i], la});
    if (static_cast<int>(out.size()) < k && i < b.size() && seen.insert(b[i].id).second) out.push_back({b[i], lb});
  }
  return out;
}

void check_filters(const FilterSpec& f, const ServiceLimits& limits) {
  const size_t m = static_cast<size_t>(limits.max_filter_values);
  STARS_CHECK_ARG(f.categories.size() <= m && f.subclasses.size() <= m && f.brands.size() <= m && f.exclude_ids.size() <= m,
                  "a filter list holds more than " << m << " values");
  if (f.price_min && f.price_max)
    STARS_CHECK_ARG(*f.price_min <= *f.price_max,
                    "filters.price_min (" << *f.price_min << ") is above filters.price_max (" << *f.price_max << ")");
}

}  // namespace

RecommendService::RecommendService(StateOptions state_options, ServiceLimits limits, std::unique_ptr<SessionStore> store,
                                   EncoderLoader encoder_loader, ContentEmbedderLoader embedder_loader,
                                   PopularityOptions popularity)
    : state_options_(std::move(state_options)), limits_(limits), popularity_(std::move(popularity)),
      store_(std::move(store)), encoder_loader_(std::move(encoder_loader)),
      embedder_loader_(std::move(embedder_loader)) {
  STARS_CHECK_ARG(store_, "a session store is required");
  popularity_.validate();
}

bool RecommendService::serves_first_events(const ServingState& st, int32_t dense) const {
  return dense < 0 && popularity_.first_event() && st.snapshot().has_first_popularity();
}

std::string RecommendService::snapshot_dir() const {
  auto st = state();
  return st ? st->snapshot().dir() : std::string();
}

std::shared_ptr<ServingState> RecommendService::state_or_throw() const {
  auto st = state();
  if (!st) STARS_THROW(kUnavailable, "no snapshot loaded yet");
  return st;
}

void RecommendService::check_id(const std::string& id, const char* what) const {
  STARS_CHECK_ARG(!id.empty(), what << " is empty");
  STARS_CHECK_ARG(id.size() <= static_cast<size_t>(limits_.max_id_length),
                  what << " is longer than " << limits_.max_id_length << " bytes");
}

ReloadResult RecommendService::load(const std::string& dir) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  Timer t;
  std::shared_ptr<ServingState> next;
  try {
    next = ServingState::load(dir, state_options_, encoder_loader_, embedder_loader_);
    store_->attach_snapshot(next->snapshot());
  } catch (...) {
    ++reload_failures;
    throw;
  }
  ReloadResult r;
  std::shared_ptr<ServingState> retired;
  {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    const int64_t exported = next->snapshot().manifest().created_at;
    for (const auto& kv : overlay_) {
      if (kv.second.received_at < exported) continue;  // the new export already reflects it
      try {
        if (kv.second.has_put) {
          apply_put(*next, kv.second.put);
        } else {
          AvailabilityUpdate u;
          u.item_id = kv.first;
          u.in_stock = kv.second.put.item.in_stock;
          u.regions = kv.second.put.item.regions;
          u.price = kv.second.put.item.price;
          apply_availability(*next, u);
        }
        ++r.replayed_updates;
      } catch (const Error& e) {
        STARS_WARN("snapshot swap: could not replay the update of item '" << kv.first << "': " << e.what());
      }
    }
    retired = std::atomic_exchange(&state_, next);
    dir_ = dir;
  }
  ++reloads;
  // Free the old state once the requests that started on it are done, and give the memory back to the
  // system, so repeated swaps keep the footprint flat.
  for (int i = 0; retired && retired.use_count() > 1 && i < 2000; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  retired.reset();
  malloc_trim(0);
  r.dir = dir;
  r.snapshot_id = next->snapshot().manifest().snapshot_id;
  r.seconds = t.seconds();
  STARS_INFO("serving snapshot " << r.snapshot_id << " from " << dir << " (" << format_count(next->snapshot().num_users())
                                 << " users, " << format_count(next->catalog().size()) << " items, index "
                                 << next->catalog().index_kind() << ", model " << (next->has_encoder() ? "yes" : "no")
                                 << ") loaded in " << r.seconds << " s; replayed " << r.replayed_updates << " updates");
  return r;
}

ReloadResult RecommendService::reload(const std::string& dir) {
  std::string target = dir;
  if (target.empty()) {
    std::lock_guard<std::mutex> lock(write_mu_);
    target = dir_;
  }
  STARS_CHECK_ARG(!target.empty(), "no snapshot directory to reload");
  return load(target);
}

std::vector<RecommendedItem> RecommendService::to_items(const Catalog::ReadView& view,
                                                        const std::vector<index::Hit>& hits, const char* list) const {
  std::vector<RecommendedItem> out;
  out.reserve(hits.size());
  for (const auto& h : hits) {
    RecommendedItem it;
    it.item_id = std::string(view.raw_id(h.id));
    it.title = std::string(view.title(h.id));
    it.list = list;
    it.score = h.score;
    it.category = std::string(view.category(h.id));
    it.brand = std::string(view.brand(h.id));
    it.price = view.price(h.id);
    it.in_stock = view.in_stock(h.id);
    out.push_back(std::move(it));
  }
  return out;
}

model::ServingContext RecommendService::resolve_context(const ServingState& st, const ContextSpec& ctx, int64_t now,
                                                        RecommendResponse* resp) const {
  const Snapshot& snap = st.snapshot();
  model::ServingContext sctx;
  sctx.ts = ctx.time.value_or(now);
  {
    auto view = st.catalog().read();
    sctx.region = ctx.region.empty() ? 0 : view.region_code(ctx.region);
  }
  if (!ctx.region.empty() && sctx.region == 0) resp->warnings.push_back("unknown context region '" + ctx.region + "'");
  if (sctx.region >= static_cast<int32_t>(snap.regions().size())) sctx.region = 0;  // added after training
  if (ctx.events) {
    const auto& names = snap.calendar_events();
    for (const auto& name : *ctx.events) {
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) resp->warnings.push_back("unknown context event '" + name + "'");
      else sctx.calendar_events.push_back(static_cast<int32_t>(it - names.begin()));
    }
  } else {
    sctx.calendar_events = snap.active_calendar_events(day_of(sctx.ts), sctx.region);
  }
  resp->context.time = sctx.ts;
  resp->context.region = ctx.region;
  for (int32_t e : sctx.calendar_events) resp->context.events.push_back(snap.calendar_events()[e]);
  return sctx;
}

RecommendService::UserVectors RecommendService::user_vectors(const ServingState& st, const RecommendRequest& req,
                                                             int32_t dense, int64_t now, RecommendResponse* resp) {
  const Snapshot& snap = st.snapshot();
  UserVectors u;
  const UserLookup look = store_->lookup(snap, req.user_id, dense);
  resp->session_events = look.session_version;
  const bool live = !req.events.empty() || look.session_version > 0;
  // Static features sent with the request: always checked; used only for a user unknown to the snapshot
  // (a known user's come from the snapshot, as the model saw them in training).
  std::optional<UserFeatureCodes> features;
  if (!req.user_features.empty()) {
    UserFeatureCodes codes = resolve_user_features(st, req.user_features, &resp->warnings);
    if (dense < 0) features = std::move(codes);
    else resp->warnings.push_back("user_features ignored: the user is known to the snapshot, whose features are used");
  }
  // The stored session, fetched only when needed (re-encoding or purchase exclusions).
  std::vector<SessionEvent> session;
  uint64_t version = 0;
  bool fetched = false;
  auto fetch_session = [&] {
    if (!fetched && look.session_version > 0) std::tie(session, version) = store_->session(req.user_id);
    fetched = true;
  };
  auto encode = [&](const model::EncoderInput& input) {
    u.gen.resize(snap.dim());
    u.next.resize(snap.dim());
    Timer t;
    st.encode(input, u.gen.data(), u.next.data());
    if (on_encode) on_encode(t.seconds());
  };
  if (live && st.has_encoder()) {
    if (look.has_live_vectors && req.events.empty() && !features) {  // encoded by an earlier request of this session
      u.gen = look.live_gen;
      u.next = look.live_next;
    } else {
      fetch_session();
      std::vector<SessionEvent> events = session;
      events.insert(events.end(), req.events.begin(), req.events.end());
      model::EncoderInput input;
      {
        auto view = st.catalog().read();
        input = build_live_input(st, view, dense, events, now, &resp->warnings, features ? &*features : nullptr);
      }
      if (!input.events.empty()) {
        encode(input);
        // Request events and features are not part of the session: only a pure session encoding is cached.
        if (req.events.empty() && !features && version > 0)
          store_->put_live_vectors(snap, req.user_id, version, u.gen.data(), u.next.data());
      }
    }
    if (!u.next.empty()) resp->source = dense >= 0 ? "live_session" : "request_events";
  }
  if (u.next.empty() && look.has_snapshot_vectors) {
    u.gen = look.h_gen;
    u.next = look.h_next;
    resp->source = "snapshot";
    if (live && !st.has_encoder())
      resp->warnings.push_back("this snapshot has no model: live events do not change the user vector");
  }
  if (u.next.empty() && features) {
    if (st.encodes_cold_users()) {
      // No usable events: the model's cold-user vector of the static features alone (the cold-user head).
      model::EncoderInput input;
      input.user_numeric = std::move(features->numeric);
      input.user_categorical = std::move(features->categorical);
      input.now = now;
      encode(input);
      u.cold = true;
      resp->source = "user_features";
    } else {
      resp->warnings.push_back(st.has_encoder()
                                   ? "user_features not used: the model was not trained to encode cold users "
                                     "(train.cold_user_weight = 0); popular items instead"
                                   : "user_features not used: this snapshot has no model; popular items instead");
    }
  }
  if (u.next.empty()) resp->source = serves_first_events(st, dense) ? "new_user_popularity" : "popularity";
  if (req.exclude_purchased.value_or(snap.manifest().exclude_seen)) {
    if (live) fetch_session();
    auto add = [&](const std::vector<SessionEvent>& events) {
      for (const auto& e : events)
        if (e.type == static_cast<uint8_t>(data::EventType::kPurchase)) u.live_purchases.push_back(e.item_id);
    };
    add(session);
    add(req.events);
  }
  return u;
}

RecommendResponse RecommendService::recommend(const RecommendRequest& req) {
  Timer timer;
  check_id(req.user_id, "user_id");
  STARS_CHECK_ARG(req.k >= 1 && req.k <= limits_.max_k, "k must be in [1, " << limits_.max_k << "], got " << req.k);
  STARS_CHECK_ARG(req.events.size() <= static_cast<size_t>(limits_.max_events),
                  "events holds " << req.events.size() << " events, at most " << limits_.max_events << " are allowed");
  STARS_CHECK_ARG(req.user_features.size() <= static_cast<size_t>(limits_.max_user_features),
                  "user_features holds " << req.user_features.size() << " features, at most "
                                         << limits_.max_user_features << " are allowed");
  check_filters(req.filters, limits_);
  auto st = state_or_throw();
  const Snapshot& snap = st->snapshot();
  RecommendResponse resp;
  resp.user_id = req.user_id;
  resp.strategy = req.strategy;
  resp.snapshot_id = snap.manifest().snapshot_id;
  const int64_t now = now_s();

  // 1. Request-time context (paper §4.4) and the user's vectors.
  const model::ServingContext sctx = resolve_context(*st, req.context, now, &resp);
  const auto found = snap.find_user(req.user_id);
  const int32_t dense = found ? *found : -1;
  resp.known_user = dense >= 0;
  UserVectors u = user_vectors(*st, req, dense, now, &resp);

  // 2. Filters become one allow-bitmap for the search.
  FilterSpec filters = req.filters;
  if (filters.region.empty()) filters.region = req.context.region;  // sell only what the user's region has
  auto view = st->catalog().read();
  std::vector<int32_t> exclude;
  if (req.exclude_purchased.value_or(snap.manifest().exclude_seen)) {
    if (dense >= 0)
      for (int32_t i : snap.purchased(dense)) exclude.push_back(i);
    for (const auto& raw : u.live_purchases)
      if (auto id = view.find(raw)) exclude.push_back(*id);
  }
  const index::Bitmap allow = view.allow(filters, Span<const int32_t>(exclude.data(), exclude.size()), &resp.warnings);

  // 3. Search: popularity without a user vector (for a new user: what new users take first); else
  // (h + o_t) . e over allowed items, maybe interleaved.
  if (u.next.empty()) {
    const auto hits = serves_first_events(*st, dense)
                          ? view.new_user_popular(req.k, allow, snap, sctx.region, sctx.calendar_events)
                          : view.popular(req.k, allow, snap, sctx.region, sctx.calendar_events);
    resp.items = to_items(view, hits, "popular");
  } else {
    std::vector<float> offset(snap.dim(), 0.0f);
    if (req.context.apply_offset) resp.context.offset_applied = st->context_offset(sctx, offset.data());
    for (int d = 0; d < snap.dim(); ++d) {
      u.gen[d] += offset[d];
      u.next[d] += offset[d];
    }
    // A cold user's vector ranks with the model's cold-user prior (both vectors are the same one).
    if (u.cold && view.has_cold_user_bias()) {
      const auto hits = view.search_cold_user(u.next.data(), req.k, allow);
      resp.items = to_items(view, hits, req.strategy == Strategy::kGen ? "gen" : "next");
    } else {
      switch (req.strategy) {
        case Strategy::kNext: resp.items = to_items(view, view.search(u.next.data(), req.k, &allow), "next"); break;
        case Strategy::kGen: resp.items = to_items(view, view.search(u.gen.data(), req.k, &allow), "gen"); break;
        case Strategy::kRoundRobin: {
          const auto a = view.search(u.next.data(), req.k, &allow);
          const auto b = view.search(u.gen.data(), req.k, &allow);
          for (const auto& [hit, list] : interleave(a, "next", b, "gen", req.k)) {
            auto items = to_items(view, {hit}, list);
            resp.items.push_back(std::move(items[0]));
          }
          break;
        }
      }
    }
  }
  resp.took_ms = timer.seconds() * 1e3;
  return resp;
}

EventsResponse RecommendService::record_events(const EventsRequest& req) {
  check_id(req.user_id, "user_id");
  STARS_CHECK_ARG(!req.events.empty(), "events is empty");
  STARS_CHECK_ARG(req.events.size() <= static_cast<size_t>(limits_.max_events),
                  "events holds " << req.events.size() << " events, at most " << limits_.max_events << " are allowed");
  auto st = state_or_throw();
  std::vector<SessionEvent> events = req.events;
  const int64_t now = now_s();
  {
    auto view = st->catalog().read();
    for (size_t i = 0; i < events.size(); ++i) {
      check_id(events[i].item_id, "events[].item_id");
      if (!view.find(events[i].item_id))
        STARS_THROW(kInvalidArgument, "events[" << i << "].item_id '" << events[i].item_id << "' is not in the catalog");
      if (events[i].ts <= 0) events[i].ts = now;
    }
  }
  EventsResponse r;
  r.user_id = req.user_id;
  r.accepted = events.size();
  r.session_version = store_->append(req.user_id, events);
  r.known_user = st->snapshot().find_user(req.user_id).has_value();
  return r;
}

void RecommendService::remember(const std::string& item_id, const std::function<void(ItemPutRequest&)>& merge) {
  Overlay& o = overlay_[item_id];
  merge(o.put);
  o.received_at = now_s();
}

ItemPutResponse RecommendService::apply_put(ServingState& st, const ItemPutRequest& req) {
  const int D = st.snapshot().dim();
  ItemPutResponse r;
  r.item_id = req.item.raw_id;
  Catalog& catalog = st.catalog();
  int32_t existing = -1, size = 0;
  std::string old_title;
  {
    auto view = catalog.read();
    if (auto id = view.find(req.item.raw_id)) {
      existing = *id;
      old_title = std::string(view.title(existing));
    }
    size = view.size();
  }
  const bool creating = existing < 0;
  const bool content_changed = creating || req.item.title || req.item.category || req.item.brand || req.item.tags ||
                               !req.description.empty() || req.text_vector;
  std::vector<float> vec;
  if (req.vector) {
    STARS_CHECK_ARG(req.vector->size() == static_cast<size_t>(D),
                    "vector has " << req.vector->size() << " values, the snapshot's dimension is " << D);
    vec = *req.vector;
    r.vector_source = "given";
  } else if (content_changed) {
    if (!st.has_encoder()) {
      STARS_CHECK_ARG(!creating, "this snapshot has no model, so a new item needs 'vector' (" << D << " floats)");
      r.warnings.push_back("this snapshot has no model: the item's vector is unchanged");
      r.vector_source = "unchanged";
    } else {
      std::vector<float> text;
      std::vector<std::string> tag_names = req.item.tags.value_or(std::vector<std::string>{});
      if (req.text_vector) {
        text = *req.text_vector;
      } else {
        ContentEmbedder* emb = st.embedder();
        STARS_CHECK_ARG(emb, "this snapshot has no text embedder: send 'text_vector' (the item's text embedding)");
        NewItemText t;
        t.raw_id = req.item.raw_id;
        t.title = req.item.title.value_or(old_title);
        t.description = req.description;
        if (req.item.category)
          for (auto part : split(*req.item.category, '>'))
            if (!trim(part).empty()) t.category.emplace_back(trim(part));
        t.brand = req.item.brand.value_or("");
        t.tags = tag_names;
        ItemContent c = emb->embed(t);
        text = std::move(c.text_vector);
        tag_names = std::move(c.tags);
      }
      for (float x : text) STARS_CHECK_ARG(std::isfinite(x), "text_vector holds a non-finite value");
      std::vector<int32_t> tag_ids;
      for (const auto& name : tag_names) {
        if (auto code = catalog.tag_code(name)) tag_ids.push_back(*code);
        else r.warnings.push_back("tag '" + name + "' is not in the model's vocabulary; ignored by the model");
      }
      vec.resize(D);
      st.item_content_vector(creating ? size : existing, text, tag_ids, vec.data());
      r.vector_source = "text";
    }
  } else {
    r.vector_source = "unchanged";
  }
  for (float x : vec) STARS_CHECK_ARG(std::isfinite(x), "vector holds a non-finite value");
  const auto [id, created] = catalog.upsert(req.item, vec.empty() ? nullptr : vec.data());
  STARS_CHECK(!created || id == size, "catalog id " << id << " differs from the expected " << size);
  r.created = created;
  return r;
}

ItemPutResponse RecommendService::put_item(const ItemPutRequest& req) {
  check_id(req.item.raw_id, "item id");
  auto st = state_or_throw();
  std::lock_guard<std::mutex> lock(write_mu_);
  st = state_or_throw();  // the state current under the write lock
  ItemPutResponse r = apply_put(*st, req);
  remember(req.item.raw_id, [&](ItemPutRequest& o) {
    auto& a = o.item;
    const auto& b = req.item;
    a.raw_id = b.raw_id;
    if (b.title) a.title = b.title;
    if (b.category) a.category = b.category;
    if (b.brand) a.brand = b.brand;
    if (b.price) a.price = b.price;
    if (b.in_stock) a.in_stock = b.in_stock;
    if (b.regions) a.regions = b.regions;
    if (b.tags) a.tags = b.tags;
    if (!req.description.empty()) o.description = req.description;
    if (req.vector) o.vector = req.vector, o.text_vector.reset();
    if (req.text_vector) o.text_vector = req.text_vector, o.vector.reset();
  });
  overlay_[req.item.raw_id].has_put = true;
  return r;
}

void RecommendService::apply_availability(ServingState& st, const AvailabilityUpdate& u) {
  ItemUpsert up;
  up.raw_id = u.item_id;
  up.in_stock = u.in_stock;
  up.regions = u.regions;
  up.price = u.price;
  {
    auto view = st.catalog().read();
    if (!view.find(u.item_id)) STARS_THROW(kNotFound, "item '" << u.item_id << "' is not in the catalog");
  }
  st.catalog().upsert(up, nullptr);
}

void RecommendService::update_availability(const std::vector<AvailabilityUpdate>& updates) {
  STARS_CHECK_ARG(!updates.empty(), "updates is empty");
  STARS_CHECK_ARG(updates.size() <= static_cast<size_t>(limits_.max_events),
                  "at most " << limits_.max_events << " updates per request, got " << updates.size());
  auto st = state_or_throw();
  std::lock_guard<std::mutex> lock(write_mu_);
  st = state_or_throw();
  {
    auto view = st->catalog().read();
    for (size_t i = 0; i < updates.size(); ++i) {
      check_id(updates[i].item_id, "item id");
      if (!view.find(updates[i].item_id))
        STARS_THROW(kNotFound, "updates[" << i << "]: item '" << updates[i].item_id << "' is not in the catalog");
    }
  }
  for (const auto& u : updates) {
    apply_availability(*st, u);
    remember(u.item_id, [&](ItemPutRequest& o) {
      o.item.raw_id = u.item_id;
      if (u.in_stock) o.item.in_stock = u.in_stock;
      if (u.regions) o.item.regions = u.regions;
      if (u.price) o.item.price = u.price;
    });
  }
}

RecommendResponse RecommendService::similar(const SimilarRequest& req) {
  Timer timer;
  check_id(req.item_id, "item id");
  STARS_CHECK_ARG(req.k >= 1 && req.k <= limits_.max_k, "k must be in [1, " << limits_.max_k << "], got " << req.k);
  check_filters(req.filters, limits_);
  auto st = state_or_throw();
  RecommendResponse resp;
  resp.item_id = req.item_id;
  resp.snapshot_id = st->snapshot().manifest().snapshot_id;
  resp.source = "item_vector";
  auto view = st->catalog().read();
  const auto id = view.find(req.item_id);
  if (!id) STARS_THROW(kNotFound, "item '" << req.item_id << "' is not in the catalog");
  std::vector<float> q(st->snapshot().dim());
  view.vector(*id, q.data());
  const int32_t self = *id;
  const auto allow = view.allow(req.filters, Span<const int32_t>(&self, 1), &resp.warnings);
  resp.items = to_items(view, view.search(q.data(), req.k, &allow), "similar");
  resp.took_ms = timer.seconds() * 1e3;
  return resp;
}

ItemInfo RecommendService::item(const std::string& item_id) const {
  auto st = state_or_throw();
  auto view = st->catalog().read();
  const auto id = view.find(item_id);
  if (!id) STARS_THROW(kNotFound, "item '" << item_id << "' is not in the catalog");
  return view.info(*id);
}

UserView RecommendService::user(const std::string& user_id, size_t max_history) {
  check_id(user_id, "user id");
  auto st = state_or_throw();
  const Snapshot& snap = st->snapshot();
  UserView v;
  v.user_id = user_id;
  const auto dense = snap.find_user(user_id);
  v.known = dense.has_value();
  auto [session, version] = store_->session(user_id);
  v.session_version = version;
  auto view = st->catalog().read();
  if (dense) {
    const auto h = snap.history(*dense);
    for (size_t j = h.size() > max_history ? h.size() - max_history : 0; j < h.size(); ++j)
      v.history.push_back({std::string(view.raw_id(h.items[j])), std::string(view.title(h.items[j])), h.ts[j], h.types[j], false});
    v.purchased = snap.purchased(*dense).size();
  }
  for (const auto& e : session) {
    const auto id = view.find(e.item_id);
    v.history.push_back({e.item_id, id ? std::string(view.title(*id)) : std::string(), e.ts, e.type, true});
  }
  return v;
}

std::vector<std::string> RecommendService::users(int64_t offset, int64_t limit) const {
  STARS_CHECK_ARG(offset >= 0, "offset must be >= 0, got " << offset);
  STARS_CHECK_ARG(limit >= 1 && limit <= 1000, "limit must be in [1, 1000], got " << limit);
  auto st = state_or_throw();
  const Snapshot& snap = st->snapshot();
  std::vector<std::string> out;
  for (int64_t u = offset; u < snap.num_users() && u < offset + limit; ++u)
    out.emplace_back(snap.user_raw_id(static_cast<int32_t>(u)));
  return out;
}

}  // namespace stars::serve
