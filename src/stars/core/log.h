// Minimal leveled logging to stderr and a terminal progress bar with rate and ETA.
#pragma once

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>

namespace stars {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kQuiet = 4 };
void set_log_level(LogLevel level);
LogLevel log_level();
void log_message(LogLevel level, const std::string& msg);

#define STARS_LOG(level, msg_stream)                                      \
  do {                                                                    \
    if (::stars::LogLevel::level >= ::stars::log_level()) {               \
      std::ostringstream stars_log_oss_;                                  \
      stars_log_oss_ << msg_stream;                                       \
      ::stars::log_message(::stars::LogLevel::level, stars_log_oss_.str()); \
    }                                                                     \
  } while (0)
#define STARS_INFO(msg) STARS_LOG(kInfo, msg)
#define STARS_WARN(msg) STARS_LOG(kWarn, msg)
#define STARS_DEBUG(msg) STARS_LOG(kDebug, msg)

// Redraws one stderr line at most every 200 ms: "label [=====>    ] 45% 1.2k/s ETA 0:31 | extra".
// Prints nothing when stderr is not a terminal unless `force` is set; always prints a final line on finish().
class Progress {
 public:
  Progress(std::string label, uint64_t total, std::string unit = "it");
  ~Progress();
  void update(uint64_t done, const std::string& extra = "");
  void add(uint64_t n, const std::string& extra = "") { update(done_ + n, extra); }
  void finish(const std::string& extra = "");
  double elapsed_seconds() const;

 private:
  void draw(bool final_line);
  std::string label_, unit_, extra_;
  uint64_t total_, done_ = 0;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// Wall-clock stopwatch.
class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void reset() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Peak resident set size of this process in bytes (from /proc/self/status VmHWM).
uint64_t peak_rss_bytes();

}  // namespace stars
