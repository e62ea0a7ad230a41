// StepProfiler (step_profiler.h): LibTorch's Kineto profiler around a window of training steps, reduced to
// per-step tables. Works with LibTorch 1.13 (durations in microseconds) and 2.x (nanoseconds).
#include "stars/train/step_profiler.h"

#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "stars/core/log.h"
#include "stars/core/mmap_file.h"
#include "stars/core/strings.h"

namespace stars::train {

namespace {

namespace tprof = torch::autograd::profiler;
namespace timpl = torch::profiler::impl;

// An event's start and duration in nanoseconds: LibTorch 2.x reports nanoseconds, 1.13 microseconds.
template <class E>
auto times_ns(const E& e, int) -> decltype(std::pair<int64_t, int64_t>(e.startNs(), e.durationNs())) {
  return {static_cast<int64_t>(e.startNs()), static_cast<int64_t>(e.durationNs())};
}
template <class E>
std::pair<int64_t, int64_t> times_ns(const E& e, long) {
  return {static_cast<int64_t>(e.startUs()) * 1000, static_cast<int64_t>(e.durationUs()) * 1000};
}

// The first line of an error (LibTorch appends a backtrace).
std::string first_line(const std::exception& e) {
  const std::string w = e.what();
  return w.substr(0, w.find('\n'));
}

struct Row {
  int64_t calls = 0;
  int64_t ns = 0;  // total (GPU) or self (CPU) time
};

struct Interval {
  int64_t begin, end;
};

// Self time of nested CPU events: on each thread, an event's time minus that of the events directly inside it.
void add_self_times(std::vector<std::pair<Interval, const std::string*>>& evs, std::map<std::string, Row>& rows) {
  std::sort(evs.begin(), evs.end(), [](const auto& a, const auto& b) {
    return a.first.begin != b.first.begin ? a.first.begin < b.first.begin : a.first.end > b.first.end;
  });
  struct Open {
    int64_t end;
    int64_t self;
    const std::string* name;
  };
  std::vector<Open> stack;
  auto close = [&]() {
    Row& r = rows[*stack.back().name];
    r.ns += std::max<int64_t>(0, stack.back().self);
    ++r.calls;
    stack.pop_back();
  };
  for (const auto& [iv, name] : evs) {
    while (!stack.empty() && stack.back().end <= iv.begin) close();
    const int64_t d = iv.end - iv.begin;
    if (!stack.empty()) stack.back().self -= std::min(d, stack.back().end - iv.begin);
    stack.push_back({iv.end, d, name});
  }
  while (!stack.empty()) close();
}

// Time covered by the union of the intervals.
int64_t union_ns(std::vector<Interval> iv) {
  std::sort(iv.begin(), iv.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
  int64_t total = 0, b = 0, e = -1;
  bool open = false;
  for (const Interval& x : iv) {
    if (open && x.begin <= e) {
      e = std::max(e, x.end);
      continue;
    }
    if (open) total += e - b;
    b = x.begin;
    e = x.end;
    open = true;
  }
  if (open) total += e - b;
  return total;
}

std::string table(const std::map<std::string, Row>& rows, double steps, size_t top) {
  std::vector<std::pair<std::string, Row>> v(rows.begin(), rows.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
  int64_t total = 0;
  for (const auto& x : v) total += x.second.ns;
  std::ostringstream s;
  s << "  ms/step   share  calls/step  name\n";
  for (size_t i = 0; i < std::min(top, v.size()); ++i) {
    std::string name = v[i].first;
    if (name.size() > 110) name = name.substr(0, 107) + "...";
    char line[96];
    std::snprintf(line, sizeof(line), "%9.3f  %5.1f%%  %10.1f  ", v[i].second.ns / 1e6 / steps,
                  100.0 * v[i].second.ns / std::max<int64_t>(1, total), v[i].second.calls / steps);
    s << line << name << "\n";
  }
  if (v.size() > top) s << "  (" << (v.size() - top) << " more names)\n";
  return s.str();
}

}  // namespace

StepProfiler::StepProfiler(std::string dir, int64_t after, int64_t steps, bool cuda)
    : dir_(std::move(dir)), after_(after), steps_(steps), cuda_(cuda) {}

StepProfiler::~StepProfiler() {
  if (!active_) return;
  try {
    tprof::disableProfiler();
  } catch (...) {
  }
}

void StepProfiler::before_step(int64_t step) {
  if (steps_ <= 0 || active_ || done_ || step < after_ || step >= after_ + steps_) return;
  std::set<timpl::ActivityType> acts{timpl::ActivityType::CPU};
  if (cuda_) acts.insert(timpl::ActivityType::CUDA);
  const timpl::ProfilerConfig cfg(timpl::ProfilerState::KINETO, false, false, false);
  if (cuda_) torch::cuda::synchronize();
  try {
    tprof::prepareProfiler(cfg, acts);
    tprof::enableProfiler(cfg, acts);
  } catch (const std::exception& e) {
    // A profiler that cannot start (e.g. no CUPTI next to a CUDA LibTorch) must not stop the training.
    STARS_WARN("train.profile_steps: LibTorch's profiler did not start (" << first_line(e) << "); training goes on without it");
    done_ = true;
    return;
  }
  wall_.reset();
  active_ = true;
  first_step_ = step;
}

void StepProfiler::after_step(int64_t step, int64_t targets) {
  if (!active_) return;
  targets_ += targets;
  last_step_ = step;
  if (step + 1 >= after_ + steps_) stop_and_write();
}

void StepProfiler::finish() {
  if (active_) stop_and_write();
}

void StepProfiler::end_of_run(int64_t steps) const {
  if (steps_ > 0 && !done_ && !active_)
    STARS_WARN("train.profile_steps: the run ended after " << steps << " steps, before the profiled window (steps "
                                                            << after_ << "-" << after_ + steps_ - 1 << "): nothing profiled");
}

void StepProfiler::stop_and_write() {
  if (cuda_) torch::cuda::synchronize();
  const double wall = wall_.seconds();
  active_ = false;
  done_ = true;
  std::unique_ptr<tprof::ProfilerResult> result;
  try {
    result = tprof::disableProfiler();
  } catch (const std::exception& e) {
    STARS_WARN("train.profile_steps: LibTorch's profiler gave no result (" << first_line(e) << ")");
    return;
  }
  const int64_t n_steps = last_step_ - first_step_ + 1;
  if (n_steps <= 0 || !result) return;
  const double steps = static_cast<double>(n_steps);

  std::map<std::string, Row> gpu, cpu;
  std::vector<Interval> gpu_iv;
  std::unordered_map<uint64_t, std::vector<std::pair<Interval, const std::string*>>> by_thread;
  std::vector<std::string> names;
  names.reserve(result->events().size());
  int64_t gpu_ns = 0, cpu_events = 0, aten_events = 0;
  for (const auto& e : result->events()) {
    names.push_back(e.name());
    const auto [b, d] = times_ns(e, 0);
    if (e.deviceType() == c10::DeviceType::CUDA) {
      Row& r = gpu[names.back()];
      ++r.calls;
      r.ns += d;
      gpu_ns += d;
      gpu_iv.push_back({b, b + d});
    } else if (e.deviceType() == c10::DeviceType::CPU) {
      ++cpu_events;
      if (names.back().rfind("aten::", 0) == 0) ++aten_events;
      by_thread[e.startThreadId()].push_back({{b, b + d}, &names.back()});
    }
  }
  for (auto& kv : by_thread) add_self_times(kv.second, cpu);

  std::string trace = "profile_trace.json";
  try {
    result->save(path_join(dir_, trace));
  } catch (const std::exception& ex) {
    trace = "not written (" + first_line(ex) + ")";
  }

  std::ostringstream s;
  char buf[256];
  s << "stars train profile: steps " << first_step_ << "-" << last_step_ << " of this run (" << n_steps << " steps"
    << (n_steps < steps_ ? " of the " + std::to_string(steps_) + " requested: the epoch or the run ended first" : "")
    << ", " << targets_ << " targets), device " << (cuda_ ? "cuda" : "cpu") << ", LibTorch " << TORCH_VERSION_MAJOR << "."
    << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH << "\n";
  std::snprintf(buf, sizeof(buf), "wall %.4f s = %.2f ms/step, %.0f targets/s (profiler overhead included)\n", wall,
                1e3 * wall / steps, targets_ / std::max(1e-9, wall));
  s << buf;
  if (gpu.empty()) {
    s << "GPU: no device events recorded\n";
  } else {
    const int64_t busy = union_ns(gpu_iv);
    int64_t launches = 0;
    for (const auto& kv : gpu) launches += kv.second.calls;
    std::snprintf(buf, sizeof(buf),
                  "GPU: %.1f kernels and copies/step, their time %.2f ms/step; busy %.2f ms/step (%.1f%% of the wall time)\n",
                  launches / steps, gpu_ns / 1e6 / steps, busy / 1e6 / steps, 100.0 * busy / 1e9 / std::max(1e-9, wall));
    s << buf;
  }
  std::snprintf(buf, sizeof(buf), "CPU: %.1f profiled events/step, of which %.1f aten:: operators\n", cpu_events / steps,
                aten_events / steps);
  s << buf << "Chrome trace: " << trace << "\n";
  if (!gpu.empty()) s << "\nGPU kernels and copies by time\n" << table(gpu, steps, 40);
  s << "\nCPU events by self time (all threads)\n" << table(cpu, steps, 40);
  const std::string path = path_join(dir_, "profile.txt");
  try {
    write_text_file(path, s.str());
  } catch (const std::exception& e) {
    STARS_WARN("train.profile_steps: " << e.what() << "; training goes on");
    return;
  }
  STARS_INFO("profile of steps " << first_step_ << "-" << last_step_ << " written to " << path);
}

}  // namespace stars::train
