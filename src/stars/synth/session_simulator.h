// Simulates one user's whole timeline in a synthetic world and appends its CSV rows (users, events,
// impressions, latent truth). Per user: sessions placed on days (weekday and holiday intensity) and hours
// (persona profile); each session has one mission (a recipe, a stock-up of favourite aisles, a craving picked
// by the hour, or browsing an active promotion); each mission step shows a page of near-substitutes of one
// subclass, the user views one or two by taste and may add one to the cart; the cart is purchased at the end.
// A user's rows depend only on (seed, user index), so blocks of users can run on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stars/core/random.h"
#include "stars/synth/population.h"
#include "stars/synth/world.h"

namespace stars::synth {

struct SynthCounts {
  int64_t users = 0, sessions = 0, pages = 0, impressions = 0;
  int64_t events = 0, views = 0, carts = 0, purchases = 0;
  void add(const SynthCounts& o);
};

// CSV rows of a block of users (no headers).
struct UserRows {
  std::string users, events, impressions, truth_users, truth_impressions;
  SynthCounts counts;
  void clear();
};

class SessionSimulator {
 public:
  explicit SessionSimulator(const World& world);
  void simulate_user(int64_t index, UserRows* out);

  // The utility user `u` has for `item` on `day` in `region` (what page choices are drawn from).
  float utility(const UserProfile& u, int32_t item, int day, int region) const;

 private:
  struct SessionEvent {
    int32_t item;
    int64_t ts;
    uint8_t type;       // 1 view, 2 cart, 3 purchase
    int32_t page;       // page number within the session, -1 = direct
  };
  enum Mission { kRecipe, kStockUp, kCraving, kDeals };

  // Chooses the session's mission (sets mission_) and the subclasses it visits, in order.
  void plan_mission(int day, int hour, Rng& rng, std::vector<int32_t>* steps);
  void build_page(int32_t subclass, int day, int region, Rng& rng);
  int32_t pick_subclass(int aisle, int day, Rng& rng) const;
  bool subclass_in_season(int32_t subclass, int day) const;
  void emit_session(int64_t index, int session, UserRows* out);

  const World& w_;
  UserProfile user_;
  std::vector<std::pair<int32_t, int32_t>> bought_;   // (subclass, item) last purchased
  std::vector<int32_t> page_;                         // items of the page being built
  std::vector<std::pair<float, int32_t>> candidates_;
  std::vector<float> scores_;
  std::vector<uint32_t> stamp_;                       // per item: last page that considered it
  uint32_t page_stamp_ = 0;
  std::vector<SessionEvent> session_, collapsed_;
  std::vector<std::pair<int32_t, int32_t>> cart_;     // (item, page) added to the cart
  std::vector<int32_t> steps_;
  std::vector<double> recipe_weights_;
  std::vector<int16_t> deal_campaigns_;
  int mission_ = 0;
  std::vector<double> aisle_weights_;
  std::vector<double> user_aisle_exp_;                // exp(aisle_w) of the current user
  std::vector<double> aisle_slot_, aisle_slot_craving_;  // aisle x slot affinity ^ hour_strength (^ 2x)
  double off_slot_ = 0.15;                            // recipe weight outside its slots
  std::vector<char> craving_aisle_;                   // aisles a craving mission may visit
  std::vector<std::pair<int64_t, int>> starts_;       // (start second, day) of each session
  const char* device_ = "";
};

}  // namespace stars::synth
