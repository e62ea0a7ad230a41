// A tiny, fully structured dataset built in process for unit tests of every module (model, training,
// evaluation, serving) without parsing files: users belong to taste groups, each group buys from one
// subclass in a fixed cyclic order, so next-item prediction is learnable and easy to check.
#pragma once

#include <cstdint>
#include <string>

namespace stars::data {

struct TinyWorldOptions {
  int32_t num_users = 64;
  int32_t num_groups = 4;          // = number of subclasses
  int32_t items_per_group = 8;
  int32_t events_per_user = 12;
  bool with_time = true;           // real timestamps (hourly) vs order only
  int32_t start_hours = 1;         // user u starts (u % start_hours) hours later, so UTC days cut sessions at different events
  bool with_pages = true;          // each event's page shows 4 same-subclass items
  bool with_user_features = true;  // numeric "age" + categorical "region" = group name
  double cold_user_fraction = 0.0; // PrepareOptions::cold_user_fraction (cold items are always 10%)
  bool shared_first_item = false;  // every user's first event is item 0 (a signup offer): first-event popularity ranks it first for all
  uint64_t seed = 7;
};

// Writes a prepared dataset to `dir` and returns its statistics JSON.
std::string make_tiny_world(const std::string& dir, const TinyWorldOptions& options = {});

}  // namespace stars::data
