// Linked into every test program: a test that crashes (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) prints
// the signal, the test that was running and a backtrace on stderr before the process dies with that
// signal. Written for runs on other machines (bench/train/gpu_bench.sh on a device), where a crash
// otherwise leaves only "Segmentation fault" and no debugger is at hand.
#include <execinfo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

namespace {

void write_str(const char* s) {
  if (s) (void)!write(STDERR_FILENO, s, std::strlen(s));
}

extern "C" void report_crash(int sig) {
  // Best effort: everything after the first line may itself fail in a corrupted process.
  write_str("\n*** test program crashed with signal ");
  write_str(sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGILL ? "SIGILL" : sig == SIGFPE ? "SIGFPE" : "SIGABRT");
  const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
  if (t) {
    write_str(" in test ");
    write_str(t->test_suite_name());
    write_str(".");
    write_str(t->name());
  } else {
    write_str(" outside any test (set-up, tear-down or static destruction)");
  }
  write_str("; backtrace:\n");
  void* frames[64];
  backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
  std::signal(sig, SIG_DFL);  // die with the same signal, so the exit status is unchanged
  std::raise(sig);
}

const bool installed = [] {
  void* warm[1];
  backtrace(warm, 1);  // loads libgcc's unwinder now, not inside the handler
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(sig, report_crash);
  return true;
}();

}  // namespace
