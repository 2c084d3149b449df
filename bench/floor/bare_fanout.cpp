// The floor of a fan-out on this machine: a server that does nothing but one send() of a
// prebuilt 100-byte message to each of N loopback TCP clients, R times a second, and a client
// process that reads them with epoll and times each receipt against the timestamp inside.
// Server on CPU 0, client on CPU 1, like the benchmarks. Prints the server's CPU time per send,
// the time one burst of N sends takes, and the receipt latency (p50/p99/max). With `uring`, the
// same sends go through io_uring instead: IORING_OP_SEND with MSG_DONTWAIT, submitted and reaped
// 64 at a time (as Switchboard's longest flush slice; its slices start at 8 and grow to 64),
// one io_uring_enter() per 64 clients. With `uring-msg`, the ring's sends are IORING_OP_SENDMSG of
// two pieces (a 2-byte header and the rest), as a WebSocket write of a header and a record is: the
// cost of a segment list against one buffer.
//   bare_fanout [clients=1000] [rate=100] [seconds=5] [send|uring|uring-msg]
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "floor_common.hpp"

namespace {

using floor_bench::connect_clients;
using floor_bench::cpu_seconds;
using floor_bench::pin;

std::uint64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

std::uint64_t percentile(std::vector<std::uint64_t>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1,
                         static_cast<std::size_t>(q * static_cast<double>(values.size())))];
}

constexpr std::size_t kMessage = 100;
constexpr unsigned kBatch = 64;

// One burst through io_uring: the sends queued kBatch at a time, each batch submitted and its
// completions reaped in one call.
void burst_with_ring(io_uring& ring, const std::vector<int>& sockets, const char* message,
                     bool as_message) {
  std::size_t next = 0;
  static iovec parts[2];
  static msghdr header{};
  parts[0] = {const_cast<char*>(message), 2};
  parts[1] = {const_cast<char*>(message) + 2, kMessage - 2};
  header.msg_iov = parts;
  header.msg_iovlen = 2;
  while (next < sockets.size()) {
    unsigned queued = 0;
    for (; queued < kBatch && next < sockets.size(); ++queued, ++next) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      if (as_message)
        io_uring_prep_sendmsg(sqe, sockets[next], &header, MSG_DONTWAIT | MSG_NOSIGNAL);
      else
        io_uring_prep_send(sqe, sockets[next], message, kMessage, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    unsigned reaped = 0;
    while (reaped < queued) {
      io_uring_submit_and_wait(&ring, queued - reaped);
      unsigned head = 0;
      unsigned seen = 0;
      io_uring_cqe* cqe = nullptr;
      io_uring_for_each_cqe(&ring, head, cqe) {
        ++seen;
      }
      io_uring_cq_advance(&ring, seen);
      reaped += seen;
    }
  }
}

int run_client(int port, int clients, int expected) {
  pin(1);
  int epoll = connect_clients(port, clients);
  if (epoll < 0) return 1;
  std::vector<std::uint64_t> latencies;
  latencies.reserve(static_cast<std::size_t>(expected));
  std::vector<epoll_event> events(256);
  char buffer[64 * 1024];
  while (static_cast<int>(latencies.size()) < expected) {
    int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 2000);
    if (n <= 0) break;
    for (int i = 0; i < n; ++i) {
      ssize_t got = recv(events[i].data.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      std::uint64_t at = now_us();
      for (ssize_t off = 0; off + static_cast<ssize_t>(kMessage) <= got; off += kMessage) {
        std::uint64_t sent;
        std::memcpy(&sent, buffer + off, sizeof sent);
        latencies.push_back(at - sent);
      }
    }
  }
  std::printf("client: %zu receipts, latency p50 %llu us, p99 %llu us, max %llu us\n",
              latencies.size(), static_cast<unsigned long long>(percentile(latencies, 0.5)),
              static_cast<unsigned long long>(percentile(latencies, 0.99)),
              static_cast<unsigned long long>(percentile(latencies, 1.0)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int clients = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int rate = argc > 2 ? std::atoi(argv[2]) : 100;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 5;
  const bool as_message = argc > 4 && std::strcmp(argv[4], "uring-msg") == 0;
  const bool use_ring = as_message || (argc > 4 && std::strcmp(argv[4], "uring") == 0);
  io_uring ring{};
  if (use_ring) {
    const int status = io_uring_queue_init(kBatch, &ring, 0);
    if (status < 0) {
      std::fprintf(stderr, "io_uring_queue_init: %s\n", std::strerror(-status));
      return 1;
    }
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  listen(listener, 4096);
  const int port = ntohs(address.sin_port);
  const int bursts = rate * seconds;
  pid_t child = fork();
  if (child == 0) return run_client(port, clients, bursts * clients);
  pin(0);
  std::vector<int> sockets;
  for (int i = 0; i < clients; ++i) {
    int fd = accept(listener, nullptr, nullptr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockets.push_back(fd);
  }
  usleep(200000);
  char message[kMessage];
  std::memset(message, 'x', sizeof message);
  std::vector<std::uint64_t> burst_us;
  const double cpu_before = cpu_seconds();
  const std::uint64_t start = now_us();
  for (int b = 0; b < bursts; ++b) {
    const std::uint64_t due =
        start + static_cast<std::uint64_t>(b) * 1000000u / static_cast<std::uint64_t>(rate);
    while (now_us() < due)
      usleep(static_cast<useconds_t>(std::min<std::uint64_t>(due - now_us(), 1000)));
    const std::uint64_t t0 = now_us();
    std::memcpy(message, &t0, sizeof t0);
    if (use_ring)
      burst_with_ring(ring, sockets, message, as_message);
    else
      for (int fd : sockets) send(fd, message, sizeof message, MSG_DONTWAIT | MSG_NOSIGNAL);
    burst_us.push_back(now_us() - t0);
  }
  const double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "server (%s): %d clients, %d bursts, %.2f us CPU per send, burst p50 %llu us, p99 %llu us\n",
      as_message ? "io_uring sendmsg"
      : use_ring ? "io_uring"
                 : "send()",
      clients, bursts, cpu * 1e6 / (static_cast<double>(bursts) * clients),
      static_cast<unsigned long long>(percentile(burst_us, 0.5)),
      static_cast<unsigned long long>(percentile(burst_us, 0.99)));
  std::fflush(stdout);
  int status = 0;
  waitpid(child, &status, 0);
  return 0;
}
