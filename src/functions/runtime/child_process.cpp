// Supervised child processes: see child_process.hpp.
#include "functions/runtime/child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace switchboard::functions {

namespace {
constexpr auto kWatchPeriod = std::chrono::milliseconds(200);
constexpr auto kMaxBackoff = std::chrono::milliseconds(10000);
}  // namespace

ChildProcess::ChildProcess(boost::asio::io_context& io, ChildProcessSpec spec)
    : io_(io), spec_(std::move(spec)), watch_timer_(io), restart_timer_(io) {}

ChildProcess::~ChildProcess() {
  stop();
}

void ChildProcess::start() {
  stopping_ = false;
  spawn();
  watch();
}

void ChildProcess::spawn() {
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : spec_.environment) env[k] = v;
  if (spec_.per_start_environment) spec_.per_start_environment(env);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args{spec_.executable};
  args.insert(args.end(), spec_.arguments.begin(), spec_.arguments.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(exec_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
  const char* cwd = spec_.working_directory.empty() ? nullptr : spec_.working_directory.c_str();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, 0);
    // The host's sockets (listeners included) must not leak into the child.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the host
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (cwd && chdir(cwd) != 0) {
      int e = errno;
      (void)!write(exec_pipe[1], &e, sizeof e);
      _exit(127);
    }
    // Unblock the signals the host blocks for sigwait().
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, nullptr);
    execve(argv[0], argv.data(), envp.data());
    if (errno == ENOENT || errno == EACCES) execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!write(exec_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  int exec_errno = 0;
  ssize_t n = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  close(exec_pipe[0]);
  if (n == sizeof exec_errno) {
    waitpid(pid, nullptr, 0);
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start " + spec_.label + " '" + spec_.executable +
                             "': " + std::strerror(exec_errno));
  }
  pid_ = pid;
  started_ = std::chrono::steady_clock::now();
  ++generation_;
  spdlog::info("[{}] started '{}' (pid {})", spec_.label, spec_.executable, pid);
  auto out = std::make_shared<boost::asio::posix::stream_descriptor>(io_, out_pipe[0]);
  auto err = std::make_shared<boost::asio::posix::stream_descriptor>(io_, err_pipe[0]);
  read_output(out, std::make_shared<std::string>(), false);
  read_output(err, std::make_shared<std::string>(), true);
}

void ChildProcess::read_output(std::shared_ptr<boost::asio::posix::stream_descriptor> pipe,
                               std::shared_ptr<std::string> pending, bool is_stderr) {
  auto buffer = std::make_shared<std::array<char, 4096>>();
  pipe->async_read_some(boost::asio::buffer(*buffer), [this, pipe, pending, buffer, is_stderr](
                                                          boost::system::error_code ec,
                                                          std::size_t n) {
    pending->append(buffer->data(), n);
    std::size_t start = 0;
    for (auto nl = pending->find('\n'); nl != std::string::npos; nl = pending->find('\n', start)) {
      std::string line = pending->substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (is_stderr)
        spdlog::warn("[{}] {}", spec_.label, line);
      else
        spdlog::info("[{}] {}", spec_.label, line);
      start = nl + 1;
    }
    pending->erase(0, start);
    if (ec) {
      if (!pending->empty()) spdlog::info("[{}] {}", spec_.label, *pending);
      return;
    }
    read_output(pipe, pending, is_stderr);
  });
}

void ChildProcess::watch() {
  watch_timer_.expires_after(kWatchPeriod);
  watch_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    if (pid_ > 0) {
      int status = 0;
      pid_t current = pid_;
      pid_t r = waitpid(current, &status, WNOHANG);
      if (r == current) {
        pid_ = -1;
        // A process that ran for a while before dying starts again quickly.
        if (std::chrono::steady_clock::now() - started_ > std::chrono::seconds(10))
          backoff_ = std::chrono::milliseconds(500);
        if (WIFEXITED(status))
          spdlog::warn("[{}] exited with code {}; restarting in {} ms", spec_.label,
                       WEXITSTATUS(status), backoff_.count());
        else
          spdlog::warn("[{}] killed by signal {}; restarting in {} ms", spec_.label,
                       WTERMSIG(status), backoff_.count());
        if (on_exit_) on_exit_(status);
        restart_timer_.expires_after(backoff_);
        backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(kMaxBackoff));
        restart_timer_.async_wait([this](boost::system::error_code ec2) {
          if (ec2 || stopping_) return;
          try {
            spawn();
          } catch (const std::exception& e) {
            spdlog::error("[{}] {}", spec_.label, e.what());
          }
        });
      }
    }
    watch();
  });
}

void ChildProcess::kill_now() {
  pid_t pid = pid_;
  if (pid <= 0) return;
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

void ChildProcess::stop() {
  stopping_ = true;
  watch_timer_.cancel();
  restart_timer_.cancel();
  if (pid_ <= 0) return;
  pid_t pid = pid_.exchange(-1);
  kill(-pid, SIGTERM);
  kill(pid, SIGTERM);
  for (int i = 0; i < 30; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace switchboard::functions
