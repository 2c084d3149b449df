// The floor of a REST send on this machine: a server that does nothing but read one keep-alive HTTP
// request (headers up to the blank line, then Content-Length bytes of body), answer 202, and send
// one prebuilt 100-byte frame to one of N loopback TCP clients (round robin) — what a user or
// connection send through the REST API must do at least. A forked client process reads the frames.
// Server on CPU 0, client on CPU 1 (with the load generator), like the benchmarks. The HTTP load
// comes from outside (wrk, bench/run.py's floor scenario). Runs until SIGTERM/SIGINT or `seconds`,
// then prints the calls answered, the server's CPU time per call and the frames the client read.
//   rest_floor [port=18090] [clients=1000] [seconds=3600]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floor_common.hpp"

namespace {

using floor_bench::connect_clients;
using floor_bench::cpu_seconds;
using floor_bench::pin;

volatile sig_atomic_t stopping = 0;
void on_signal(int) {
  stopping = 1;
}

int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 4096) != 0) {
    std::perror("rest_floor: bind/listen");
    std::exit(1);
  }
  return fd;
}

constexpr std::size_t kFrame = 100;

// The client process: N connections to the frame port, every byte read and counted.
int run_client(int port, int clients, int report_fd) {
  pin(1);
  int epoll = connect_clients(port, clients);
  if (epoll < 0) return 1;
  std::uint64_t bytes = 0;
  std::vector<epoll_event> events(256);
  char buffer[65536];
  while (!stopping) {
    int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 200);
    for (int i = 0; i < n; ++i) {
      ssize_t got = read(events[i].data.fd, buffer, sizeof buffer);
      if (got > 0) bytes += static_cast<std::uint64_t>(got);
    }
  }
  std::uint64_t frames = bytes / kFrame;
  (void)!write(report_fd, &frames, sizeof frames);
  return 0;
}

// Content-Length of a request head (0 when absent).
std::size_t content_length(std::string_view head) {
  static constexpr std::string_view kName = "content-length:";
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;
       line = head.find("\r\n", line + 2)) {
    std::string_view rest = head.substr(line + 2);
    if (rest.size() < kName.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(rest[i])) == kName[i];
    if (match) return std::strtoull(rest.data() + kName.size(), nullptr, 10);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 18090;
  const int clients = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 3600;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);

  int frame_listener = listen_on(0);
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  getsockname(frame_listener, reinterpret_cast<sockaddr*>(&bound), &length);
  int report[2];
  if (pipe(report) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    return run_client(ntohs(bound.sin_port), clients, report[1]);
  }
  close(report[1]);
  pin(0);
  std::vector<int> receivers;
  while (static_cast<int>(receivers.size()) < clients) {
    int fd = accept(frame_listener, nullptr, nullptr);
    if (fd < 0) return 1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    receivers.push_back(fd);
  }
  char frame[kFrame];
  std::memset(frame, 'x', sizeof frame);

  int http = listen_on(port);
  int epoll = epoll_create1(0);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = http;
  epoll_ctl(epoll, EPOLL_CTL_ADD, http, &event);
  std::printf("rest floor listening on %d (%d clients)\n", port, clients);
  std::fflush(stdout);

  static constexpr std::string_view kAnswer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
  std::unordered_map<int, std::string> pending;  // per HTTP connection: bytes not yet a request
  std::uint64_t calls = 0;
  std::size_t next = 0;
  const double cpu0 = cpu_seconds();
  const std::time_t deadline = std::time(nullptr) + seconds;
  std::vector<epoll_event> events(256);
  char buffer[65536];
  while (!stopping && std::time(nullptr) < deadline) {
    int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 200);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == http) {
        int connection = accept(http, nullptr, nullptr);
        if (connection < 0) continue;
        int one = 1;
        setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event added{};
        added.events = EPOLLIN;
        added.data.fd = connection;
        epoll_ctl(epoll, EPOLL_CTL_ADD, connection, &added);
        continue;
      }
      ssize_t got = read(fd, buffer, sizeof buffer);
      if (got <= 0) {
        pending.erase(fd);
        close(fd);
        continue;
      }
      std::string& data = pending[fd];
      data.append(buffer, static_cast<std::size_t>(got));
      std::size_t used = 0;
      std::string answers;
      for (;;) {
        std::size_t end = data.find("\r\n\r\n", used);
        if (end == std::string::npos) break;
        std::size_t total =
            end + 4 + content_length(std::string_view(data).substr(used, end - used));
        if (total > data.size()) break;
        used = total;
        answers += kAnswer;
        (void)!send(receivers[next], frame, sizeof frame, MSG_DONTWAIT);
        next = (next + 1) % receivers.size();
        ++calls;
      }
      data.erase(0, used);
      if (!answers.empty()) (void)!send(fd, answers.data(), answers.size(), MSG_NOSIGNAL);
    }
  }
  const double cpu = cpu_seconds() - cpu0;
  kill(child, SIGTERM);
  std::uint64_t frames = 0;
  (void)!read(report[0], &frames, sizeof frames);
  waitpid(child, nullptr, 0);
  std::printf("%llu calls, %.3f us CPU per call, %llu frames received\n",
              static_cast<unsigned long long>(calls),
              calls ? cpu * 1e6 / static_cast<double>(calls) : 0.0,
              static_cast<unsigned long long>(frames));
  return 0;
}
