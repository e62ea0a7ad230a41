#include "stars/core/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>

namespace stars {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_log_mu;

std::string human_rate(double r) {
  char buf[32];
  if (r >= 1e6) std::snprintf(buf, sizeof(buf), "%.2fM", r / 1e6);
  else if (r >= 1e3) std::snprintf(buf, sizeof(buf), "%.1fk", r / 1e3);
  else std::snprintf(buf, sizeof(buf), "%.1f", r);
  return buf;
}
std::string human_time(double s) {
  if (s < 0 || s > 1e7) return "?";
  char buf[32];
  const int t = static_cast<int>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof(buf), "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof(buf), "%d:%02d", t / 60, t % 60);
  return buf;
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

void log_message(LogLevel level, const std::string& msg) {
  static const char* kNames[] = {"debug", "info", "warn", "error"};
  std::lock_guard<std::mutex> lock(g_log_mu);
  if (level == LogLevel::kInfo) std::fprintf(stderr, "%s\n", msg.c_str());
  else std::fprintf(stderr, "[%s] %s\n", kNames[static_cast<int>(level)], msg.c_str());
}

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && tty_) std::fprintf(stderr, "\n");
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(uint64_t done, const std::string& extra) {
  done_ = done;
  if (!extra.empty()) extra_ = extra;
  if (!tty_ || log_level() > LogLevel::kInfo) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_draw_).count() < 0.2 && done_ < total_) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  if (!extra.empty()) extra_ = extra;
  finished_ = true;
  if (log_level() > LogLevel::kInfo) return;
  draw(true);
}

void Progress::draw(bool final_line) {
  const double el = elapsed_seconds();
  const double rate = el > 0 ? done_ / el : 0.0;
  std::string line = label_;
  if (total_ > 0) {
    const double frac = std::min(1.0, static_cast<double>(done_) / total_);
    const int width = 24, filled = static_cast<int>(frac * width);
    line += " [" + std::string(filled, '=') + (filled < width ? ">" : "") +
            std::string(width - filled - (filled < width ? 1 : 0), ' ') + "] ";
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%3d%%", static_cast<int>(frac * 100));
    line += pct;
  } else {
    line += " " + std::to_string(done_);
  }
  line += " " + human_rate(rate) + " " + unit_ + "/s";
  if (final_line) line += " in " + human_time(el);
  else if (total_ > 0 && rate > 0) line += " ETA " + human_time((total_ - done_) / rate);
  if (!extra_.empty()) line += " | " + extra_;
  std::lock_guard<std::mutex> lock(g_log_mu);
  if (tty_) std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  else if (final_line) std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

uint64_t peak_rss_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace stars
