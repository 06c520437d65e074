// File: run_killed.h
// For the tools' kill tests: a CLI's library entry point run in a forked child that the parent
// SIGKILLs after a delay (or lets finish), so a test can check what a kill at any point leaves
// behind (files whole or untouched, no temporaries, a database that passes its check).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tools::testing {

// Runs `run(args, out, err)` in a child process; kills it with SIGKILL after `delay` when
// `kill_it`, else lets it finish. Returns the wait status (-1 when fork failed).
template <typename Run>
int run_killed(Run run, const std::vector<std::string>& args, std::chrono::microseconds delay,
               bool kill_it) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::ostringstream out, err;
    ::_exit(run(args, out, err));
  }
  if (pid < 0) return -1;
  if (kill_it) {
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace tools::testing
