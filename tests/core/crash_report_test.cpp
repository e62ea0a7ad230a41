// tests/crash_report.cpp, linked into every test program: a crash names the test and prints a backtrace.
#include <gtest/gtest.h>

#include <csignal>

namespace {

TEST(CrashReport, ACrashNamesTheTestAndPrintsABacktrace) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(std::raise(SIGSEGV),
               "crashed with signal SIGSEGV in test CrashReport\\.ACrashNamesTheTestAndPrintsABacktrace; "
               "backtrace:\n.*\\[0x[0-9a-f]+\\]");
  EXPECT_EXIT(std::raise(SIGFPE), ::testing::KilledBySignal(SIGFPE), "signal SIGFPE in test CrashReport");
}

}  // namespace
