// A synthetic snapshot without a model, for load benchmarks and tests: random user and item vectors and
// random catalog metadata (departments "d<k>" with subclasses "d<k>s<j>", brands "b<k>", regions "r<k>",
// prices, stock), short random histories and popularity. The search path cannot tell it from an export.
#pragma once

#include <cstdint>

#include "stars/serve/snapshot_data.h"

namespace stars::serve {

struct RandomSnapshotOptions {
  int32_t users = 1000;
  int32_t items = 1000;
  int dim = 64;
  int departments = 10;
  int subclasses_per_department = 10;
  int brands = 200;
  int regions = 10;
  double regional_fraction = 0.3;  // items sold only in 1-3 regions; the rest everywhere
  double in_stock_fraction = 1.0;
  int history_len = 20;
  uint64_t seed = 1;
};

SnapshotData make_random_snapshot(const RandomSnapshotOptions& options);

}  // namespace stars::serve
