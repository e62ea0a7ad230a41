// Configuration of `stars synth`: the size of the world and every knob of its generative model
// (docs/SYNTH.md explains what each one does to the signal the STARS mechanisms can learn).
// Set from the command line with `--users/--items/--days/--seed` and `--set key=value` (nested keys such as
// `page.size=8`); unknown keys are errors. The resolved configuration is written next to the output.
#pragma once

#include <cstdint>
#include <string>

namespace stars::synth {

struct CatalogConfig {
  int items_per_subclass = 18;            ///< target items per subclass (sets how many subclasses are used), >= 1
  double brands_per_item = 0.12;          ///< brands per item (at least 6 brands), in (0, 1]
  double cold_start_fraction = 0.10;      ///< share of items launched during the timeline, in [0, 0.9]
  double cold_start_from = 0.5;           ///< cold items launch after this fraction of the timeline, in [0, 1)
  double regional_brand_fraction = 0.2;   ///< share of brands sold in one region only, in [0, 1]
  double regional_item_fraction = 0.08;   ///< share of other items sold in a subset of regions, in [0, 1]
  double out_of_stock_rate = 0.04;        ///< share of (item, region) pairs with no stock at the end, in [0, 1]
  double popularity_sigma = 0.8;          ///< spread of item popularity (log scale), >= 0

  template <class V>
  void visit(V& v) {
    v("items_per_subclass", items_per_subclass, "target items per subclass (sets how many subclasses are used), >= 1");
    v("brands_per_item", brands_per_item, "brands per item (at least 6 brands), in (0, 1]");
    v("cold_start_fraction", cold_start_fraction, "share of items launched during the timeline, in [0, 0.9]");
    v("cold_start_from", cold_start_from, "cold items launch after this fraction of the timeline, in [0, 1)");
    v("regional_brand_fraction", regional_brand_fraction, "share of brands sold in one region only, in [0, 1]");
    v("regional_item_fraction", regional_item_fraction, "share of other items sold in a subset of regions, in [0, 1]");
    v("out_of_stock_rate", out_of_stock_rate, "share of (item, region) pairs with no stock at the end, in [0, 1]");
    v("popularity_sigma", popularity_sigma, "spread of item popularity (log scale), >= 0");
  }
};

struct PopulationConfig {
  double feature_strength = 1.0;      ///< chance a static feature follows the user's persona (else the population), [0, 1]
  double taste_noise = 0.6;           ///< individual deviation of tastes from the persona, >= 0
  double late_joiner_fraction = 0.3;  ///< share of users whose first day is after the start, in [0, 1]
  int favourite_brands = 4;           ///< favourite brands per user, in [0, 32]

  template <class V>
  void visit(V& v) {
    v("feature_strength", feature_strength, "chance a static feature follows the user's persona (else the population), [0, 1]");
    v("taste_noise", taste_noise, "individual deviation of tastes from the persona, >= 0");
    v("late_joiner_fraction", late_joiner_fraction, "share of users whose first day is after the start, in [0, 1]");
    v("favourite_brands", favourite_brands, "favourite brands per user, in [0, 32]");
  }
};

struct SessionConfig {
  double per_day = 0.08;          ///< mean sessions per user per active day, > 0
  double activity_sigma = 1.0;    ///< lognormal spread of user activity, >= 0
  double recipe_weight = 0.40;    ///< mission mix: recipe (a few subclasses that go together), >= 0
  double stockup_weight = 0.30;   ///< mission mix: stock-up of the user's favourite aisles, >= 0
  double craving_weight = 0.12;   ///< mission mix: one aisle picked by the hour (snacks late at night), >= 0
  double deals_weight = 0.18;     ///< mission mix: browse an active promotion (when one runs in the region), >= 0
  double repeat_rate = 0.3;       ///< chance a stock-up step re-buys the last item of that subclass directly, [0, 1]

  template <class V>
  void visit(V& v) {
    v("per_day", per_day, "mean sessions per user per active day, > 0");
    v("activity_sigma", activity_sigma, "lognormal spread of user activity, >= 0");
    v("recipe_weight", recipe_weight, "mission mix: recipe (a few subclasses that go together), >= 0");
    v("stockup_weight", stockup_weight, "mission mix: stock-up of the user's favourite aisles, >= 0");
    v("craving_weight", craving_weight, "mission mix: one aisle picked by the hour (snacks late at night), >= 0");
    v("deals_weight", deals_weight, "mission mix: browse an active promotion (when one runs in the region), >= 0");
    v("repeat_rate", repeat_rate, "chance a stock-up step re-buys the last item of that subclass directly, [0, 1]");
  }
};

struct PageConfig {
  int size = 6;                     ///< items shown per page, in [1, 50]
  double sibling_rate = 0.12;       ///< chance each slot shows an item of a sibling subclass, [0, 1]
  double no_click_rate = 0.08;      ///< chance a page is shown and nothing is clicked, [0, 1)
  double second_view_rate = 0.3;    ///< chance the user views a second item of the page before deciding, [0, 1]
  double logged_rate = 1.0;         ///< share of pages whose impressions impressions.csv keeps, (0, 1]; the rest go unlogged

  template <class V>
  void visit(V& v) {
    v("size", size, "items shown per page, in [1, 50]");
    v("sibling_rate", sibling_rate, "chance each slot shows an item of a sibling subclass, [0, 1]");
    v("no_click_rate", no_click_rate, "chance a page is shown and nothing is clicked, [0, 1)");
    v("second_view_rate", second_view_rate, "chance the user views a second item of the page before deciding, [0, 1]");
    v("logged_rate", logged_rate, "share of pages whose impressions impressions.csv keeps (each page independently; the events still name every page), (0, 1]; below 1 truth/impressions.csv holds every page's");
  }
};

struct FunnelConfig {
  double cart_rate = 0.6;         ///< probability that an average chosen item is added to the cart, (0, 1)
  double checkout_rate = 0.85;    ///< probability that a session with a cart checks out, [0, 1]
  std::string log = "deepest";    ///< "deepest": one row per session item (its deepest stage); "full": every view, cart and purchase row

  template <class V>
  void visit(V& v) {
    v("cart_rate", cart_rate, "probability that an average chosen item is added to the cart, (0, 1)");
    v("checkout_rate", checkout_rate, "probability that a session with a cart checks out, [0, 1]");
    v("log", log, "'deepest': one row per session item with its deepest stage; 'full': every view, cart and purchase row");
  }
};

struct ChoiceConfig {
  double temperature = 0.8;         ///< softmax temperature of the pick among shown items, > 0
  double brand_bonus = 1.0;         ///< utility of a favourite brand, >= 0
  double popularity_weight = 0.6;   ///< weight of item popularity in the user's utility, >= 0
  double sibling_penalty = 1.0;     ///< utility penalty of a shown item outside the step's subclass, >= 0

  template <class V>
  void visit(V& v) {
    v("temperature", temperature, "softmax temperature of the pick among shown items, > 0");
    v("brand_bonus", brand_bonus, "utility of a favourite brand, >= 0");
    v("popularity_weight", popularity_weight, "weight of item popularity in the user's utility, >= 0");
    v("sibling_penalty", sibling_penalty, "utility penalty of a shown item outside the step's subclass, >= 0");
  }
};

struct ContextConfig {
  int promo_campaigns = 12;         ///< recurring promotion campaigns, in [0, 200]
  double promo_lift = 1.5;          ///< utility lift of a promoted item (scaled by price sensitivity), >= 0
  double promo_exposure = 2.0;      ///< page-ranking lift of a promoted item, >= 0
  double season_lift = 2.0;         ///< utility lift of a seasonal item at its peak, >= 0
  double hour_strength = 1.0;       ///< exponent on hour-of-day aisle and recipe profiles (0 = no hour effect), >= 0

  template <class V>
  void visit(V& v) {
    v("promo_campaigns", promo_campaigns, "recurring promotion campaigns, in [0, 200]");
    v("promo_lift", promo_lift, "utility lift of a promoted item (scaled by price sensitivity), >= 0");
    v("promo_exposure", promo_exposure, "page-ranking lift of a promoted item, >= 0");
    v("season_lift", season_lift, "utility lift of a seasonal item at its peak, >= 0");
    v("hour_strength", hour_strength, "exponent on hour-of-day aisle and recipe profiles (0 = no hour effect), >= 0");
  }
};

struct SynthConfig {
  int64_t users = 2000;                  ///< number of users, in [1, 1e9]
  int items = 1500;                      ///< number of items, in [1, 5e6]
  int days = 60;                         ///< length of the timeline in days, in [1, 3650]
  uint64_t seed = 42;                    ///< seed of everything; same seed = byte-identical files
  std::string start_date = "2024-11-01"; ///< first day (YYYY-MM-DD); the default spans Thanksgiving to New Year
  int regions = 5;                       ///< number of regions, in [1, 12]
  int threads = 0;                       ///< generator threads (0 = STARS_THREADS or all cores); output does not depend on it
  bool truth = true;                     ///< also write the latent ground truth under truth/
  CatalogConfig catalog;
  PopulationConfig population;
  SessionConfig session;
  PageConfig page;
  FunnelConfig funnel;
  ChoiceConfig choice;
  ContextConfig context;

  template <class V>
  void visit(V& v) {
    v("users", users, "number of users, in [1, 1e9]");
    v("items", items, "number of items, in [1, 5e6]");
    v("days", days, "length of the timeline in days, in [1, 3650]");
    v("seed", seed, "seed of everything; same seed = byte-identical files");
    v("start_date", start_date, "first day (YYYY-MM-DD); the default spans Thanksgiving to New Year");
    v("regions", regions, "number of regions, in [1, 12]");
    v("threads", threads, "generator threads (0 = STARS_THREADS or all cores); output does not depend on it");
    v("truth", truth, "also write the latent ground truth under truth/");
    v("catalog", catalog, "items, brands, cold start, availability");
    v("population", population, "users: personas, static features, tastes");
    v("session", session, "sessions and missions");
    v("page", page, "pages of shown items (impressions)");
    v("funnel", funnel, "view -> cart -> purchase");
    v("choice", choice, "how users pick among shown items");
    v("context", context, "promotions, seasons, hour of day");
  }
  // Checks every field; messages name the field and the expected range.
  void validate() const;
  // Days since 1970-01-01 of start_date (validated).
  int64_t start_day() const;
};

}  // namespace stars::synth
