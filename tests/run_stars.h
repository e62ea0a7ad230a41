// Runs the built `stars` program (STARS_BINARY_DIR/bin/stars) with arguments, for the tests that go through
// the command line: its exit code and its output, stdout and stderr together. `env`: arguments of env(1)
// before the program ("-u RANK WORLD_SIZE=2"), none when empty.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace stars::testing {

struct ProgramRun {
  int rc = -1;      // exit code; -1 when it did not exit normally
  std::string out;  // stdout and stderr
};

inline ProgramRun run_stars(const std::string& args, const std::string& env = "") {
  ProgramRun r;
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(STARS_BINARY_DIR) + "/bin/stars " + args + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
  const int status = pclose(f);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace stars::testing
