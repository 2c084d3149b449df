// A supervised child process (custom handlers, language workers): started with an environment and
// working directory, its stdout/stderr copied line by line into the host's log, restarted with
// backoff when it exits unexpectedly, terminated (SIGTERM, then SIGKILL) on stop.
#pragma once

#include <sys/types.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace switchboard::functions {

struct ChildProcessSpec {
  std::string label;  // for log lines, e.g. "handler"
  std::string executable;
  std::vector<std::string> arguments;
  std::string working_directory;
  std::map<std::string, std::string> environment;  // added to (and overriding) the host's own
  // Called before every (re)start, on the starting thread: variables for that run only.
  std::function<void(std::map<std::string, std::string>&)> per_start_environment;
};

class ChildProcess {
 public:
  ChildProcess(boost::asio::io_context& io, ChildProcessSpec spec);
  ~ChildProcess();

  // Starts the process (throws std::runtime_error with the reason when it cannot be started).
  void start();
  void stop();
  // Kills the running process at once (from any thread); it is restarted as if it had died.
  void kill_now();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Incremented at every (re)start; lets callers notice a restart.
  unsigned generation() const { return generation_; }
  // Called on the io_context's thread when the process exits on its own (before a restart).
  void on_exit(std::function<void(int status)> callback) { on_exit_ = std::move(callback); }

 private:
  void spawn();
  void read_output(std::shared_ptr<boost::asio::posix::stream_descriptor> pipe,
                   std::shared_ptr<std::string> pending, bool is_stderr);
  void watch();

  boost::asio::io_context& io_;
  ChildProcessSpec spec_;
  boost::asio::steady_timer watch_timer_;
  boost::asio::steady_timer restart_timer_;
  std::atomic<pid_t> pid_{-1};  // read from other threads (invokers)
  std::atomic<unsigned> generation_{0};
  bool stopping_ = false;
  std::chrono::milliseconds backoff_{500};
  std::chrono::steady_clock::time_point started_;
  std::function<void(int)> on_exit_;
};

}  // namespace switchboard::functions
