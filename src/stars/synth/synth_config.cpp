// Validation of SynthConfig: every field is checked and errors name it with the expected range.
#include "stars/synth/synth_config.h"

#include "stars/core/error.h"
#include "stars/core/time.h"
#include "stars/synth/vocabulary.h"

namespace stars::synth {

namespace {
void check_unit(double v, const char* name) {
  STARS_CHECK_ARG(v >= 0.0 && v <= 1.0, "synth config: " << name << " must be in [0, 1], got " << v);
}
}  // namespace

int64_t SynthConfig::start_day() const {
  int64_t d = 0;
  STARS_CHECK_ARG(parse_date(start_date, &d), "synth config: start_date must be YYYY-MM-DD, got '" << start_date << "'");
  return d;
}

void SynthConfig::validate() const {
  STARS_CHECK_ARG(users >= 1 && users <= 1000000000, "synth config: users must be in [1, 1e9], got " << users);
  STARS_CHECK_ARG(items >= 1 && items <= 5000000, "synth config: items must be in [1, 5e6], got " << items);
  STARS_CHECK_ARG(days >= 1 && days <= 3650, "synth config: days must be in [1, 3650], got " << days);
  start_day();
  STARS_CHECK_ARG(regions >= 1 && regions <= kMaxRegions,
                  "synth config: regions must be in [1, " << kMaxRegions << "], got " << regions);
  STARS_CHECK_ARG(threads >= 0 && threads <= 1024, "synth config: threads must be in [0, 1024], got " << threads);

  STARS_CHECK_ARG(catalog.items_per_subclass >= 1,
                  "synth config: catalog.items_per_subclass must be >= 1, got " << catalog.items_per_subclass);
  STARS_CHECK_ARG(catalog.brands_per_item > 0.0 && catalog.brands_per_item <= 1.0,
                  "synth config: catalog.brands_per_item must be in (0, 1], got " << catalog.brands_per_item);
  STARS_CHECK_ARG(catalog.cold_start_fraction >= 0.0 && catalog.cold_start_fraction <= 0.9,
                  "synth config: catalog.cold_start_fraction must be in [0, 0.9], got " << catalog.cold_start_fraction);
  STARS_CHECK_ARG(catalog.cold_start_from >= 0.0 && catalog.cold_start_from < 1.0,
                  "synth config: catalog.cold_start_from must be in [0, 1), got " << catalog.cold_start_from);
  check_unit(catalog.regional_brand_fraction, "catalog.regional_brand_fraction");
  check_unit(catalog.regional_item_fraction, "catalog.regional_item_fraction");
  check_unit(catalog.out_of_stock_rate, "catalog.out_of_stock_rate");
  STARS_CHECK_ARG(catalog.popularity_sigma >= 0.0 && catalog.popularity_sigma <= 5.0,
                  "synth config: catalog.popularity_sigma must be in [0, 5], got " << catalog.popularity_sigma);

  check_unit(population.feature_strength, "population.feature_strength");
  STARS_CHECK_ARG(population.taste_noise >= 0.0 && population.taste_noise <= 10.0,
                  "synth config: population.taste_noise must be in [0, 10], got " << population.taste_noise);
  check_unit(population.late_joiner_fraction, "population.late_joiner_fraction");
  STARS_CHECK_ARG(population.favourite_brands >= 0 && population.favourite_brands <= 32,
                  "synth config: population.favourite_brands must be in [0, 32], got " << population.favourite_brands);

  STARS_CHECK_ARG(session.per_day > 0.0 && session.per_day <= 50.0,
                  "synth config: session.per_day must be in (0, 50], got " << session.per_day);
  STARS_CHECK_ARG(session.activity_sigma >= 0.0 && session.activity_sigma <= 3.0,
                  "synth config: session.activity_sigma must be in [0, 3], got " << session.activity_sigma);
  STARS_CHECK_ARG(session.recipe_weight >= 0 && session.stockup_weight >= 0 && session.craving_weight >= 0 &&
                      session.deals_weight >= 0,
                  "synth config: session.*_weight must be >= 0");
  STARS_CHECK_ARG(session.recipe_weight + session.stockup_weight + session.craving_weight > 0,
                  "synth config: session.recipe_weight + stockup_weight + craving_weight must be > 0");
  check_unit(session.repeat_rate, "session.repeat_rate");

  STARS_CHECK_ARG(page.size >= 1 && page.size <= 50, "synth config: page.size must be in [1, 50], got " << page.size);
  check_unit(page.sibling_rate, "page.sibling_rate");
  STARS_CHECK_ARG(page.no_click_rate >= 0.0 && page.no_click_rate < 1.0,
                  "synth config: page.no_click_rate must be in [0, 1), got " << page.no_click_rate);
  check_unit(page.second_view_rate, "page.second_view_rate");
  STARS_CHECK_ARG(page.logged_rate > 0.0 && page.logged_rate <= 1.0,
                  "synth config: page.logged_rate must be in (0, 1], got " << page.logged_rate);

  STARS_CHECK_ARG(funnel.cart_rate > 0.0 && funnel.cart_rate < 1.0,
                  "synth config: funnel.cart_rate must be in (0, 1), got " << funnel.cart_rate);
  check_unit(funnel.checkout_rate, "funnel.checkout_rate");
  STARS_CHECK_ARG(funnel.log == "full" || funnel.log == "deepest",
                  "synth config: funnel.log must be 'full' or 'deepest', got '" << funnel.log << "'");

  STARS_CHECK_ARG(choice.temperature > 0.0 && choice.temperature <= 100.0,
                  "synth config: choice.temperature must be in (0, 100], got " << choice.temperature);
  STARS_CHECK_ARG(choice.brand_bonus >= 0.0 && choice.brand_bonus <= 20.0,
                  "synth config: choice.brand_bonus must be in [0, 20], got " << choice.brand_bonus);
  STARS_CHECK_ARG(choice.popularity_weight >= 0.0 && choice.popularity_weight <= 20.0,
                  "synth config: choice.popularity_weight must be in [0, 20], got " << choice.popularity_weight);
  STARS_CHECK_ARG(choice.sibling_penalty >= 0.0 && choice.sibling_penalty <= 20.0,
                  "synth config: choice.sibling_penalty must be in [0, 20], got " << choice.sibling_penalty);

  STARS_CHECK_ARG(context.promo_campaigns >= 0 && context.promo_campaigns <= 200,
                  "synth config: context.promo_campaigns must be in [0, 200], got " << context.promo_campaigns);
  STARS_CHECK_ARG(context.promo_lift >= 0.0 && context.promo_lift <= 20.0,
                  "synth config: context.promo_lift must be in [0, 20], got " << context.promo_lift);
  STARS_CHECK_ARG(context.promo_exposure >= 0.0 && context.promo_exposure <= 20.0,
                  "synth config: context.promo_exposure must be in [0, 20], got " << context.promo_exposure);
  STARS_CHECK_ARG(context.season_lift >= 0.0 && context.season_lift <= 20.0,
                  "synth config: context.season_lift must be in [0, 20], got " << context.season_lift);
  STARS_CHECK_ARG(context.hour_strength >= 0.0 && context.hour_strength <= 5.0,
                  "synth config: context.hour_strength must be in [0, 5], got " << context.hour_strength);
}

}  // namespace stars::synth
