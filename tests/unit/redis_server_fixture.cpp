// The redis-server process helper of the Redis client tests (see redis_server_fixture.hpp).
#include "redis_server_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace switchboard::testing {
namespace {

bool accepts_connections(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace

unsigned short free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot pick a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

RedisServer::RedisServer(std::string password)
    : password_(std::move(password)), port_(free_loopback_port()) {
  log_path_ = (std::filesystem::temp_directory_path() /
               ("switchboard-redis-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(port_) + ".log"))
                  .string();
}

RedisServer::~RedisServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

bool RedisServer::available() {
  return !find_on_path("redis-server").empty();
}

std::string RedisServer::url(int db) const {
  std::string out = "redis://";
  if (!password_.empty()) out += ":" + password_ + "@";
  out += "127.0.0.1:" + std::to_string(port_);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

void RedisServer::start() {
  if (pid_ > 0) throw std::logic_error("redis-server is already running");
  std::string program = find_on_path("redis-server");
  if (program.empty()) throw std::runtime_error("redis-server is not on PATH");
  std::vector<std::string> args{program,
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--daemonize",
                                "no",
                                "--logfile",
                                log_path_,
                                "--dir",
                                std::filesystem::temp_directory_path().string()};
  if (!password_.empty()) {
    args.push_back("--requirepass");
    args.push_back(password_);
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    // The server dies with the test process, whatever happens to it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  paused_ = false;
  bool ready = wait_for([&] {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return accepts_connections(port_);
  });
  if (pid_ < 0) throw std::runtime_error("redis-server exited at start (see " + log_path_ + ")");
  if (!ready) {
    kill();
    throw std::runtime_error("redis-server did not accept connections within 5 s");
  }
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  if (paused_) resume();
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = wait_for([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; });
  if (!exited) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  paused_ = false;
}

void RedisServer::pause() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGSTOP);
  paused_ = true;
}

void RedisServer::resume() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);
  paused_ = false;
}

}  // namespace switchboard::testing
