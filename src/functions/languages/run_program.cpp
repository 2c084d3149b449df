// See run_program.hpp. posix_spawn with both output pipes read through poll() until they close,
// then waitpid; a program still running at the deadline gets SIGKILL.
#include "functions/languages/run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace switchboard::functions {
namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
};

bool make_pipe(Pipe& pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.read = fds[0];
  pipe.write = fds[1];
  return true;
}

}  // namespace

ProgramRun run_program(const ProgramSpec& spec) {
  ProgramRun run;
  Pipe out, err;
  if (!make_pipe(out) || !make_pipe(err)) {
    run.start_error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return run;
  }
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view line(*entry);
    auto eq = line.find('=');
    if (eq != std::string_view::npos)
      environment[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  for (const auto& [name, value] : spec.environment) environment[name] = value;
  std::vector<std::string> env_lines;
  for (const auto& [name, value] : environment) env_lines.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& line : env_lines) envp.push_back(line.data());
  envp.push_back(nullptr);
  std::vector<std::string> args{spec.executable};
  args.insert(args.end(), spec.arguments.begin(), spec.arguments.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  if (!spec.working_directory.empty())
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_directory.c_str());
  pid_t pid = -1;
  int rc =
      ::posix_spawnp(&pid, spec.executable.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    run.start_error = "cannot start " + spec.executable + ": " + std::strerror(rc);
    return run;
  }
  run.started = true;
  ::close(out.write);
  ::close(err.write);
  out.write = err.write = -1;

  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::array<pollfd, 2> fds{pollfd{out.read, POLLIN, 0}, pollfd{err.read, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&run.output, &run.errors};
  int open_pipes = 2;
  char buffer[16384];
  while (open_pipes > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!run.timed_out && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

}  // namespace switchboard::functions
