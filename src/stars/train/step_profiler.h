// Where a window of training steps spends its time: LibTorch's profiler (Kineto) around steps
// [after, after + steps) of `stars train` (train.profile_steps, train.profile_after), summarised in a
// plain-text table next to the model (profile.txt) and, where LibTorch was built with Kineto, a Chrome
// trace (profile_trace.json). On a GPU the table gives the kernels' time per step, the share of the
// wall time the GPU was busy and the launches per step; on a CPU, the operators' self time. It answers
// the same question as reference_train.py --profile does for the PyTorch reference. Torch-free header.
#pragma once

#include <cstdint>
#include <string>

#include "stars/core/log.h"

namespace stars::train {

class StepProfiler {
 public:
  // Profiles `steps` steps after the first `after` ones (0-based step counts over the run); `dir` receives
  // the files. `steps` == 0: does nothing.
  StepProfiler(std::string dir, int64_t after, int64_t steps, bool cuda);
  ~StepProfiler();
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  // Around each training step; `step` is the number of steps this run did before it (a resumed run counts
  // from its own start, so the window always follows a warm-up).
  void before_step(int64_t step);
  // `targets`: the step's training targets. Stops after the window's last step and writes the report.
  void after_step(int64_t step, int64_t targets);
  // At the end of each epoch: a window still open is closed and written with the steps it has (the report
  // says how many of the requested ones); the window does not continue into the next epoch.
  void finish();
  // At the end of the run, after `steps` steps: warns when a requested window was never reached.
  void end_of_run(int64_t steps) const;

 private:
  void stop_and_write();

  std::string dir_;
  int64_t after_ = 0, steps_ = 0;
  bool cuda_ = false;
  bool active_ = false, done_ = false;
  int64_t first_step_ = -1, last_step_ = -1, targets_ = 0;
  Timer wall_;  // from the window's start
};

}  // namespace stars::train
