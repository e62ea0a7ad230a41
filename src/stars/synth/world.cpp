// Construction of a synthetic world (see world.h).
#include "stars/synth/world.h"

#include <algorithm>
#include <cmath>

namespace stars::synth {

namespace {
const SynthConfig& validated(const SynthConfig& c) {
  c.validate();
  return c;
}
}  // namespace

int World::subclasses_for(const SynthConfig& c) {
  const long n = std::lround(static_cast<double>(c.items) / c.catalog.items_per_subclass);
  return static_cast<int>(std::clamp<long>(n, 1, Taxonomy::vocabulary_subclasses()));
}

World::World(const SynthConfig& c)
    : config(validated(c)),
      taxonomy(Taxonomy::build(subclasses_for(config), config.seed, seasons_active_mask(config.start_day(), config.days))),
      catalog(Catalog::build(config, taxonomy)),
      calendar(WorldCalendar::build(config, taxonomy, catalog)),
      population(Population::build(config, taxonomy, catalog)) {}

}  // namespace stars::synth
