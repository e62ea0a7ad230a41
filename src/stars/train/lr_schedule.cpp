#include "stars/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace stars::train {

double learning_rate(const TrainConfig& c, int64_t step, int64_t total) {
  if (c.schedule == "constant" || total <= 1) return c.lr;
  const int64_t warm = static_cast<int64_t>(std::llround(c.lr_warmup_frac * static_cast<double>(total)));
  if (step < warm) {
    const double f = static_cast<double>(step) / static_cast<double>(warm);
    return c.lr * (c.lr_start_frac + (1.0 - c.lr_start_frac) * f);
  }
  const double p = std::min(1.0, static_cast<double>(step - warm) / static_cast<double>(std::max<int64_t>(1, total - warm)));
  const double cosine = 0.5 * (1.0 + std::cos(3.141592653589793 * p));
  return c.lr * (c.lr_final_frac + (1.0 - c.lr_final_frac) * cosine);
}

}  // namespace stars::train
