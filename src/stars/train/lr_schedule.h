// The one-cycle learning-rate schedule (linear warm-up, then cosine decay) as a pure function of the step,
// so that a resumed run gets exactly the rates of an uninterrupted one. Torch-free.
#pragma once

#include <cstdint>

#include "stars/train/train_config.h"

namespace stars::train {

// Learning rate at `step` (0-based) of `total_steps`.
double learning_rate(const TrainConfig& config, int64_t step, int64_t total_steps);

}  // namespace stars::train
