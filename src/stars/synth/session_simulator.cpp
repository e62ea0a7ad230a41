// One user's sessions, missions, pages and funnel events (see session_simulator.h and docs/SYNTH.md).
#include "stars/synth/session_simulator.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stars/core/error.h"
#include "stars/synth/csv_buffer.h"
#include "stars/synth/weighted_draw.h"

namespace stars::synth {

namespace {

constexpr uint8_t kView = 1, kCart = 2, kPurchase = 3;
const char* const kTypeNames[4] = {"", "view", "cart", "purchase"};

int64_t poisson(double lambda, Rng& rng) {
  if (lambda <= 0) return 0;
  if (lambda > 30) return std::max<int64_t>(0, std::llround(lambda + std::sqrt(lambda) * rng.normal()));
  const double limit = std::exp(-lambda);
  int64_t k = 0;
  double p = rng.uniform01();
  while (p > limit) {
    ++k;
    p *= rng.uniform01();
  }
  return k;
}

// Standard Gumbel noise for the page ranking, from a table of 4096 quantiles (two logarithms per draw
// were the generator's largest cost; ranking noise needs no finer resolution).
struct GumbelTable {
  float q[4096];
  GumbelTable() {
    for (int k = 0; k < 4096; ++k) q[k] = static_cast<float>(-std::log(-std::log((k + 0.5) / 4096.0)));
  }
};
float gumbel(Rng& rng) {
  static const GumbelTable table;
  return table.q[rng.next_u64() >> 52];
}

// Index drawn from exp(scores) (softmax), skipping `skip`.
size_t softmax_draw(const std::vector<float>& scores, Rng& rng, size_t skip = std::numeric_limits<size_t>::max()) {
  float mx = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i != skip) mx = std::max(mx, scores[i]);
  }
  double total = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i != skip) total += std::exp(scores[i] - mx);
  }
  double r = rng.uniform01() * total;
  size_t last = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (i == skip) continue;
    last = i;
    r -= std::exp(scores[i] - mx);
    if (r < 0) return i;
  }
  return last;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// A page's id in events.csv and impressions.csv: u<user>-<session>-<page>.
void append_page_id(std::string& b, int64_t user, int session, int page) {
  b += 'u';
  csv_int(b, user);
  b += '-';
  csv_int(b, session);
  b += '-';
  csv_int(b, page);
}

}  // namespace

void SynthCounts::add(const SynthCounts& o) {
  users += o.users;
  sessions += o.sessions;
  pages += o.pages;
  impressions += o.impressions;
  events += o.events;
  views += o.views;
  carts += o.carts;
  purchases += o.purchases;
}

void UserRows::clear() {
  users.clear();
  events.clear();
  impressions.clear();
  truth_users.clear();
  truth_impressions.clear();
  counts = SynthCounts();
}

SessionSimulator::SessionSimulator(const World& world) : w_(world), stamp_(world.catalog.items.size(), 0) {
  const double hs = world.config.context.hour_strength;
  const auto& aisles = world.taxonomy.aisles;
  aisle_slot_.resize(aisles.size() * kNumSlots);
  aisle_slot_craving_.resize(aisles.size() * kNumSlots);
  for (size_t a = 0; a < aisles.size(); ++a) {
    for (int s = 0; s < kNumSlots; ++s) {
      aisle_slot_[a * kNumSlots + s] = std::pow(aisles[a].slot_affinity[s], hs);
      aisle_slot_craving_[a * kNumSlots + s] = std::pow(aisles[a].slot_affinity[s], 2.0 * hs);
    }
  }
  off_slot_ = std::pow(0.15, hs);
  // Cravings are for snacks, sweets, drinks, convenience food and party aisles.
  const int craving_themes = (1 << theme_index("indulgent")) | (1 << theme_index("convenience")) |
                             (1 << theme_index("beverage")) | (1 << theme_index("party")) | (1 << theme_index("alcohol"));
  craving_aisle_.assign(aisles.size(), 0);
  for (size_t a = 0; a < aisles.size(); ++a) {
    for (int th : aisles[a].themes) craving_aisle_[a] |= static_cast<char>((craving_themes >> th) & 1);
  }
}

float SessionSimulator::utility(const UserProfile& u, int32_t item, int day, int region) const {
  const Item& it = w_.catalog.items[item];
  const ChoiceConfig& ch = w_.config.choice;
  const ContextConfig& cx = w_.config.context;
  float s = static_cast<float>(ch.popularity_weight) * it.popularity;
  for (uint32_t a = it.attributes; a != 0; a &= a - 1) s += u.attr_w[__builtin_ctz(a)];
  if (it.flavour_family >= 0) s += u.flavour_w[it.flavour_family];
  for (int32_t b : u.fav_brands) {
    if (b == it.brand) {
      s += static_cast<float>(ch.brand_bonus);
      break;
    }
  }
  s += 0.5f * u.tier_pref * static_cast<float>(w_.catalog.brands[it.brand].tier);
  s -= u.price_sensitivity * it.log_price_rel;
  if (it.season >= 0) s += static_cast<float>(cx.season_lift) * w_.calendar.lift(it.season, day);
  if (w_.calendar.promoted(it, w_.taxonomy, day, region)) {
    s += static_cast<float>(cx.promo_lift) * (0.5f + u.price_sensitivity) / 1.5f;
  }
  return s;
}

bool SessionSimulator::subclass_in_season(int32_t subclass, int day) const {
  const int season = w_.taxonomy.subclasses[subclass].season;
  return season < 0 || w_.calendar.lift(season, day) > 0.05f;
}

int32_t SessionSimulator::pick_subclass(int aisle, int day, Rng& rng) const {
  // Seasonal subclasses weigh as much as their season's intensity (none out of season).
  const auto& subs = w_.taxonomy.aisles[aisle].subclasses;
  auto weight = [&](int s) {
    const int season = w_.taxonomy.subclasses[s].season;
    if (season < 0) return 1.0;
    const float lift = w_.calendar.lift(season, day);
    return lift > 0.05f ? static_cast<double>(lift) : 0.0;
  };
  double total = 0;
  for (int s : subs) total += weight(s);
  if (total <= 0) return -1;
  double r = rng.uniform01() * total;
  for (int s : subs) {
    r -= weight(s);
    if (r < 0) return s;
  }
  for (auto it = subs.rbegin(); it != subs.rend(); ++it) {
    if (weight(*it) > 0) return *it;
  }
  return -1;
}

void SessionSimulator::plan_mission(int day, int hour, Rng& rng, std::vector<int32_t>* steps) {
  const SynthConfig& cfg = w_.config;
  const Taxonomy& tax = w_.taxonomy;
  const WorldCalendar& cal = w_.calendar;
  const UserProfile& u = user_;
  const int slot = slot_of_hour(hour);
  const bool weekend = cal.day_of_week(day) >= 4;
  steps->clear();

  // Recipes fitting the hour, the weekday and the season.
  recipe_weights_.assign(tax.recipes.size(), 0.0);
  double recipe_total = 0;
  for (size_t k = 0; k < tax.recipes.size(); ++k) {
    const RecipeInfo& r = tax.recipes[k];
    double w = u.recipe_w[k];
    if (r.season >= 0) {
      const float lift = cal.lift(r.season, day);
      w *= 5.0 * lift;
    }
    w *= ((r.slot_mask >> slot) & 1u) ? 1.0 : off_slot_;
    if (r.weekend) w *= weekend ? 1.8 : 0.6;
    recipe_weights_[k] = w;
    recipe_total += w;
  }
  // Promotions running in the user's region today.
  deal_campaigns_.clear();
  for (int16_t c : cal.active_campaigns(day, u.region)) {
    if (!cal.campaigns[c].subclasses.empty()) deal_campaigns_.push_back(c);
  }
  const SessionConfig& sc = cfg.session;
  const double kind_w[4] = {recipe_total > 0 ? sc.recipe_weight : 0.0, sc.stockup_weight, sc.craving_weight,
                            deal_campaigns_.empty() ? 0.0 : sc.deals_weight * (0.5 + u.price_sensitivity) / 1.5};
  int kind = weighted_draw(kind_w, rng);
  if (kind < 0) kind = kStockUp;  // every kind weighs zero today
  mission_ = kind;

  auto add_unique = [&](int32_t s) {
    if (s >= 0 && std::find(steps->begin(), steps->end(), s) == steps->end()) steps->push_back(s);
  };
  if (kind == kRecipe) {
    const size_t k = static_cast<size_t>(weighted_draw(recipe_weights_, rng));
    for (int32_t s : tax.recipes[k].steps) {
      if (rng.bernoulli(0.85) && subclass_in_season(s, day)) steps->push_back(s);
    }
    for (size_t i = 1; i < steps->size(); ++i) {
      if (rng.bernoulli(0.15)) std::swap((*steps)[i - 1], (*steps)[i]);
    }
    if (steps->empty() && subclass_in_season(tax.recipes[k].steps[0], day)) steps->push_back(tax.recipes[k].steps[0]);
  } else if (kind == kDeals) {
    const Campaign& c = cal.campaigns[deal_campaigns_[rng.uniform(deal_campaigns_.size())]];
    const int n = 2 + static_cast<int>(rng.uniform(3));
    for (int t = 0; t < 3 * n && static_cast<int>(steps->size()) < n; ++t) {
      const int32_t s = c.subclasses[rng.uniform(c.subclasses.size())];
      if (subclass_in_season(s, day)) add_unique(s);
    }
  } else {
    aisle_weights_.assign(tax.aisles.size(), 0.0);
    for (size_t a = 0; a < tax.aisles.size(); ++a) {
      if (kind == kCraving) {
        if (craving_aisle_[a]) aisle_weights_[a] = user_aisle_exp_[a] * aisle_slot_craving_[a * kNumSlots + slot];
      } else {
        aisle_weights_[a] = user_aisle_exp_[a] * aisle_slot_[a * kNumSlots + slot];
      }
    }
    if (kind == kCraving) {
      const int a = weighted_draw(aisle_weights_, rng);
      const int n = 1 + static_cast<int>(rng.uniform(3));
      for (int t = 0; a >= 0 && t < 3 * n && static_cast<int>(steps->size()) < n; ++t) add_unique(pick_subclass(a, day, rng));
    } else {
      const int n = 2 + static_cast<int>(rng.uniform(5));
      for (int t = 0; t < 3 * n && static_cast<int>(steps->size()) < n; ++t) {
        const int a = weighted_draw(aisle_weights_, rng);
        if (a >= 0) add_unique(pick_subclass(a, day, rng));
      }
    }
  }
}

void SessionSimulator::build_page(int32_t subclass, int day, int region, Rng& rng) {
  const SynthConfig& cfg = w_.config;
  const Catalog& cat = w_.catalog;
  const WorldCalendar& cal = w_.calendar;
  page_.clear();
  candidates_.clear();
  const int size = cfg.page.size;
  int n_sib = 0;
  for (int k = 0; k < size; ++k) n_sib += rng.bernoulli(cfg.page.sibling_rate) ? 1 : 0;
  n_sib = std::min(n_sib, size / 2);
  const int n_main = size - n_sib;

  auto usable = [&](int32_t i) {
    const Item& it = cat.items[i];
    if (!cat.sold_in(i, region) || it.launch_day > day) return false;
    return it.season < 0 || cal.lift(it.season, day) > 0.05f;
  };
  if (++page_stamp_ == 0) {  // wrapped: forget every stamp
    std::fill(stamp_.begin(), stamp_.end(), 0u);
    page_stamp_ = 1;
  }
  auto consider = [&](int32_t i) {
    if (stamp_[i] == page_stamp_ || !usable(i)) return;
    stamp_[i] = page_stamp_;
    const Item& it = cat.items[i];
    double score = it.popularity + static_cast<double>(gumbel(rng));
    if (it.season >= 0) score += 1.5 * cal.lift(it.season, day);
    if (cal.promoted(it, w_.taxonomy, day, region)) score += cfg.context.promo_exposure;
    if (it.launch_day > 0 && day - it.launch_day < 14) score += 1.0;
    candidates_.emplace_back(static_cast<float>(score), i);
  };
  const auto& pool = cat.subclass_items[subclass];
  const int draws = size + 6;
  if (pool.size() <= static_cast<size_t>(draws)) {
    for (int32_t i : pool) consider(i);
  } else {
    for (int k = 0; k < draws; ++k) consider(pool[cat.subclass_sampler[subclass].draw(rng)]);
  }
  // The platform makes room for promoted items of this subclass.
  for (int16_t c : cal.active_campaigns(day, region)) {
    const Campaign& cp = cal.campaigns[c];
    const uint32_t lo = cp.item_offsets[subclass], hi = cp.item_offsets[subclass + 1];
    if (lo < hi) consider(cp.items[lo + rng.uniform(hi - lo)]);
  }
  const size_t keep = std::min(candidates_.size(), static_cast<size_t>(n_main));
  std::partial_sort(candidates_.begin(), candidates_.begin() + keep, candidates_.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (size_t k = 0; k < keep; ++k) page_.push_back(candidates_[k].second);

  // A few slots show near-by items: sibling subclasses of the aisle (else of the department).
  const auto& siblings = w_.taxonomy.subclasses[subclass].siblings;
  if (!siblings.empty() && !page_.empty()) {
    for (int k = 0; k < n_sib; ++k) {
      const int32_t s = siblings[rng.uniform(siblings.size())];
      for (int t = 0; t < 3; ++t) {
        const int32_t i = cat.subclass_items[s][cat.subclass_sampler[s].draw(rng)];
        if (!usable(i) || std::find(page_.begin(), page_.end(), i) != page_.end()) continue;
        page_.insert(page_.begin() + static_cast<std::ptrdiff_t>(rng.uniform(page_.size() + 1)), i);
        break;
      }
    }
  }
}

void SessionSimulator::emit_session(int64_t index, int session, UserRows* out) {
  const UserProfile& u = user_;
  const Catalog& cat = w_.catalog;
  const bool deepest = w_.config.funnel.log == "deepest";
  if (deepest) {
    // One row per item: first time, first page, deepest stage.
    collapsed_.clear();
    for (const SessionEvent& e : session_) {
      bool found = false;
      for (SessionEvent& c : collapsed_) {
        if (c.item == e.item) {
          c.type = std::max(c.type, e.type);
          if (c.page < 0) c.page = e.page;
          found = true;
          break;
        }
      }
      if (!found) collapsed_.push_back(e);
    }
  }
  const std::vector<SessionEvent>& rows = deepest ? collapsed_ : session_;
  std::string& b = out->events;
  for (const SessionEvent& e : rows) {
    b += 'u';
    csv_int(b, index);
    b += ",i";
    csv_int(b, cat.external_id[e.item]);
    b += ',';
    csv_int(b, e.ts);
    b += ',';
    b += kTypeNames[e.type];
    b += ",u";
    csv_int(b, index);
    b += '-';
    csv_int(b, session);
    b += ',';
    if (e.page >= 0) append_page_id(b, index, session, e.page);
    b += ',';
    b += kRegionNames[u.region];
    b += ',';
    b += device_;
    b += '\n';
    out->counts.events++;
    if (e.type == kView) out->counts.views++;
    if (e.type == kCart) out->counts.carts++;
    if (e.type == kPurchase) out->counts.purchases++;
  }
  if (!rows.empty()) out->counts.sessions++;
}

void SessionSimulator::simulate_user(int64_t index, UserRows* out) {
  const SynthConfig& cfg = w_.config;
  const Catalog& cat = w_.catalog;
  w_.population.make_user(index, &user_);
  const UserProfile& u = user_;

  std::string& ub = out->users;
  ub += 'u';
  csv_int(ub, index);
  ub += ',';
  ub += kRegionNames[u.region];
  ub += ',';
  ub += kSignupChannels[u.channel];
  ub += ',';
  ub += kEmailDomains[u.email];
  ub += ',';
  ub += kAgeBuckets[u.age];
  ub += ',';
  csv_int(ub, u.household);
  ub += '\n';
  out->counts.users++;
  if (cfg.truth) {
    std::string& tb = out->truth_users;
    tb += 'u';
    csv_int(tb, index);
    tb += ',';
    tb += w_.population.personas[u.persona].name;
    tb += u.pet ? ",1," : ",0,";
    tb += u.baby ? "1," : "0,";
    csv_int(tb, u.join_day);
    tb += ',';
    csv_price(tb, u.price_sensitivity);
    tb += ',';
    // The three attributes the user likes most.
    int order[kNumAttributes];
    for (int a = 0; a < kNumAttributes; ++a) order[a] = a;
    std::partial_sort(order, order + 3, order + kNumAttributes, [&](int a, int b) { return u.attr_w[a] > u.attr_w[b]; });
    for (int k = 0; k < 3; ++k) {
      if (k) tb += '|';
      tb += kAttributes[order[k]].tag;
    }
    tb += '\n';
  }

  Rng rng(derive_seed(cfg.seed, 0xA11CE00000000ULL + static_cast<uint64_t>(index)));
  bought_.clear();
  user_aisle_exp_.resize(u.aisle_w.size());
  for (size_t a = 0; a < u.aisle_w.size(); ++a) user_aisle_exp_[a] = std::exp(u.aisle_w[a]);
  const int active_days = cfg.days - u.join_day;
  const double sigma = cfg.session.activity_sigma;
  const double rate = cfg.session.per_day * u.activity * std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
  int64_t n_sessions = std::max<int64_t>(1, poisson(rate * active_days, rng));
  n_sessions = std::min<int64_t>(n_sessions, 8LL * active_days);
  const auto& cum = w_.calendar.day_cum_weight;
  const double lo = u.join_day > 0 ? cum[u.join_day - 1] : 0.0;
  const double hi = cum.back();
  starts_.clear();
  for (int64_t k = 0; k < n_sessions; ++k) {
    const double x = lo + rng.uniform01() * (hi - lo);
    int day = static_cast<int>(std::upper_bound(cum.begin(), cum.end(), x) - cum.begin());
    day = std::clamp(day, u.join_day, cfg.days - 1);
    const int hour = weighted_draw(u.hour_w, rng);
    starts_.emplace_back(static_cast<int64_t>(day) * 86400 + hour * 3600 + static_cast<int64_t>(rng.uniform(3600)), day);
  }
  std::sort(starts_.begin(), starts_.end());

  const int64_t t0 = w_.calendar.start_day * 86400;
  const int64_t horizon = static_cast<int64_t>(cfg.days) * 86400;
  const double cart_logit = std::log(cfg.funnel.cart_rate / (1.0 - cfg.funnel.cart_rate));
  const float inv_temp = static_cast<float>(1.0 / cfg.choice.temperature);
  const float sibling_penalty = static_cast<float>(cfg.choice.sibling_penalty);
  int64_t prev_end = std::numeric_limits<int64_t>::min() / 2;
  int session_no = 0;
  for (const auto& st : starts_) {
    int64_t rel = std::max(st.first, prev_end + 600);
    if (rel > horizon - 3600) break;
    const int day = static_cast<int>(rel / 86400);
    const int hour = static_cast<int>((rel % 86400) / 3600);
    const int region = u.region;
    // Device of the session follows the signup channel.
    int device = u.channel;  // ios, android, web; referral users use any
    if (u.channel == 3) device = static_cast<int>(rng.uniform(3));
    else if (!rng.bernoulli(0.8)) device = u.channel == 2 ? static_cast<int>(rng.uniform(2)) : 2;
    device_ = kDevices[device];

    plan_mission(day, hour, rng, &steps_);
    session_.clear();
    cart_.clear();
    int64_t ts = rel;
    int page_no = 0;
    const double repeat_p = mission_ == kStockUp ? cfg.session.repeat_rate : (mission_ == kRecipe ? 0.5 * cfg.session.repeat_rate : 0.0);
    for (int32_t subclass : steps_) {
      ts += 20 + static_cast<int64_t>(rng.uniform(100));
      // Re-buy the usual item of this subclass without browsing.
      int32_t usual = -1;
      for (const auto& b : bought_) {
        if (b.first == subclass) usual = b.second;
      }
      if (usual >= 0 && cat.items[usual].season >= 0 && w_.calendar.lift(cat.items[usual].season, day) <= 0.05f) usual = -1;
      if (usual >= 0 && rng.bernoulli(repeat_p)) {
        session_.push_back({usual, t0 + ts, kView, -1});
        if (rng.bernoulli(0.8)) {
          ts += 5 + static_cast<int64_t>(rng.uniform(30));
          session_.push_back({usual, t0 + ts, kCart, -1});
          cart_.emplace_back(usual, -1);
        }
        continue;
      }
      build_page(subclass, day, region, rng);
      if (page_.empty()) continue;
      const int page = page_no++;
      auto write_page = [&](std::string& ib) {
        for (int32_t i : page_) {
          append_page_id(ib, index, session_no, page);
          ib += ",i";
          csv_int(ib, cat.external_id[i]);
          ib += '\n';
        }
      };
      // Whether the page's impressions are logged: a draw of its own (the simulation's draws, and so the
      // events, do not depend on page.logged_rate); below 1 the truth keeps every page.
      bool logged = true;
      if (cfg.page.logged_rate < 1.0) {
        const uint64_t h = derive_seed(derive_seed(derive_seed(cfg.seed ^ 0x1066ED0000000000ULL, static_cast<uint64_t>(index)),
                                                   static_cast<uint64_t>(session_no)),
                                       static_cast<uint64_t>(page));
        logged = static_cast<double>(h >> 11) * 0x1.0p-53 < cfg.page.logged_rate;
        if (cfg.truth) write_page(out->truth_impressions);
      }
      if (logged) {
        write_page(out->impressions);
        out->counts.impressions += static_cast<int64_t>(page_.size());
      }
      out->counts.pages++;
      if (rng.bernoulli(cfg.page.no_click_rate)) continue;
      scores_.resize(page_.size());
      double mean = 0;
      for (size_t k = 0; k < page_.size(); ++k) {
        float util = utility(u, page_[k], day, region);
        if (cat.items[page_[k]].subclass != subclass) util -= sibling_penalty;
        scores_[k] = util * inv_temp;
        mean += scores_[k];
      }
      mean /= static_cast<double>(page_.size());
      size_t chosen = softmax_draw(scores_, rng);
      session_.push_back({page_[chosen], t0 + ts, kView, page});
      if (page_.size() > 1 && rng.bernoulli(cfg.page.second_view_rate)) {
        const size_t other = softmax_draw(scores_, rng, chosen);
        ts += 5 + static_cast<int64_t>(rng.uniform(25));
        session_.push_back({page_[other], t0 + ts, kView, page});
        if (rng.bernoulli(sigmoid(scores_[other] - scores_[chosen]))) chosen = other;
      }
      if (rng.bernoulli(sigmoid(cart_logit + scores_[chosen] - mean))) {
        ts += 5 + static_cast<int64_t>(rng.uniform(40));
        session_.push_back({page_[chosen], t0 + ts, kCart, page});
        cart_.emplace_back(page_[chosen], page);
      }
    }
    if (!cart_.empty() && rng.bernoulli(cfg.funnel.checkout_rate)) {
      ts += 30 + static_cast<int64_t>(rng.uniform(120));
      for (const auto& c : cart_) {
        if (!rng.bernoulli(0.95)) continue;
        ++ts;
        session_.push_back({c.first, t0 + ts, kPurchase, c.second});
        const int32_t sub = cat.items[c.first].subclass;
        bool updated = false;
        for (auto& b : bought_) {
          if (b.first == sub) {
            b.second = c.first;
            updated = true;
          }
        }
        if (!updated) bought_.emplace_back(sub, c.first);
      }
    }
    emit_session(index, session_no, out);
    ++session_no;
    prev_end = ts;
  }
}

}  // namespace stars::synth
