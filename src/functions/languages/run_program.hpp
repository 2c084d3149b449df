// Runs a program to its end and collects what it printed: the compilers (javac, mcs) and the
// workers' describe modes that a language's discover() runs before the app is loaded. Synchronous:
// used at start-up only, never on a shard thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace switchboard::functions {

struct ProgramRun {
  bool started = false;  // false: the program could not be started (start_error says why)
  std::string start_error;
  bool timed_out = false;  // killed after the timeout
  int exit_code = -1;      // the exit status; -1 when killed by a signal or not started
  std::string output;      // stdout
  std::string errors;      // stderr
  bool succeeded() const { return started && !timed_out && exit_code == 0; }
};

struct ProgramSpec {
  std::string executable;  // looked up on PATH when it has no '/'
  std::vector<std::string> arguments;
  std::filesystem::path working_directory;         // empty: the host's own
  std::map<std::string, std::string> environment;  // added to (and overriding) the host's own
  std::chrono::milliseconds timeout{std::chrono::minutes(2)};
};

ProgramRun run_program(const ProgramSpec& spec);

}  // namespace switchboard::functions
