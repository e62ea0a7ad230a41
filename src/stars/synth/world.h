// One synthetic world: the validated configuration and everything built from it before any user is
// simulated (taxonomy, catalog, calendar, population). Immutable after construction, so worker threads
// share it. Users and their events are generated on demand (session_simulator.h), never all held.
#pragma once

#include "stars/synth/catalog.h"
#include "stars/synth/population.h"
#include "stars/synth/synth_config.h"
#include "stars/synth/taxonomy.h"
#include "stars/synth/world_calendar.h"

namespace stars::synth {

class World {
 public:
  // Validates `config` (throws Error(kInvalidArgument) naming the bad field) and builds the world.
  explicit World(const SynthConfig& config);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Number of subclasses a catalog of `items` items uses (items / catalog.items_per_subclass, clamped).
  static int subclasses_for(const SynthConfig& config);

  const SynthConfig config;
  const Taxonomy taxonomy;
  const Catalog catalog;
  const WorldCalendar calendar;
  const Population population;
};

}  // namespace stars::synth
