// Worlds shared by the synth tests: generated once per test binary into the gtest temp folder and read
// back with the independent CSV reader, so every test checks the files as a user of them would.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "csv_reader.h"
#include "stars/synth/generator.h"

namespace stars::synth::testing {

struct LoadedWorld {
  std::string dir;
  SynthConfig config;
  SynthSummary summary;
  CsvTable items, users, events, impressions, calendar, stock, truth_items, truth_users, truth_campaigns;
};

// A fresh folder per process (CTest runs the tests of this binary as parallel processes), removed when
// the process exits.
inline std::string temp_dir(const std::string& name) {
  struct Cleanup {
    std::vector<std::string> dirs;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
  };
  static Cleanup cleanup;
  const std::string d = std::string(::testing::TempDir()) + "/stars_synth_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove_all(d);
  cleanup.dirs.push_back(d);
  return d;
}

// Generates (once) and loads the world `name` with `config`.
inline const LoadedWorld& loaded_world(const std::string& name, const SynthConfig& config) {
  static std::map<std::string, std::unique_ptr<LoadedWorld>> cache;
  auto& slot = cache[name];
  if (!slot) {
    slot = std::make_unique<LoadedWorld>();
    LoadedWorld& w = *slot;
    w.dir = temp_dir(name);
    w.config = config;
    w.summary = write_world(config, w.dir, false);
    read_csv(w.dir + "/items.csv", &w.items);
    read_csv(w.dir + "/users.csv", &w.users);
    read_csv(w.dir + "/events.csv", &w.events);
    read_csv(w.dir + "/impressions.csv", &w.impressions);
    read_csv(w.dir + "/calendar.csv", &w.calendar);
    read_csv(w.dir + "/stock.csv", &w.stock);
    read_csv(w.dir + "/truth/items.csv", &w.truth_items);
    read_csv(w.dir + "/truth/users.csv", &w.truth_users);
    read_csv(w.dir + "/truth/campaigns.csv", &w.truth_campaigns);
  }
  return *slot;
}

// The default world of the README demo (2000 users, 1500 items, 60 days), one row per session item.
inline const LoadedWorld& default_world() { return loaded_world("default", SynthConfig()); }

// The same world logging every view, cart and purchase.
inline const LoadedWorld& full_funnel_world() {
  SynthConfig c;
  c.funnel.log = "full";
  return loaded_world("full", c);
}

}  // namespace stars::synth::testing
