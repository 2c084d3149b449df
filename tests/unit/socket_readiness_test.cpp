// Unit tests for a shard's own epoll set (exec/socket_readiness) on real loopback TCP sockets:
// input and room are told edge-triggered; a listener that unwatches itself (or another socket whose
// event is in the same batch) is not called again and is released only after the running handler;
// more ready sockets than one batch are all told; a refused registration says why.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exec/socket_readiness.hpp"
#include "loopback_tcp.hpp"

namespace {

using switchboard::exec::ReadinessListener;
using switchboard::exec::SocketReadiness;
using namespace std::chrono_literals;

// A connected loopback TCP pair: `server` (the watched side) and `client`.
struct TcpPair {
  int server = -1;
  int client = -1;
  TcpPair() { switchboard::testing::connect_loopback(server, client); }
  ~TcpPair() {
    if (server >= 0) ::close(server);
    if (client >= 0) ::close(client);
  }
  TcpPair(const TcpPair&) = delete;
  TcpPair& operator=(const TcpPair&) = delete;
};

// Records what it is told; reads everything readable when told of input.
struct Recorder : ReadinessListener {
  int fd = -1;
  std::vector<std::uint32_t> told;
  std::string received;
  bool peer_closed = false;
  std::function<void()> also;  // run on each call
  void on_ready(std::uint32_t events) override {
    told.push_back(events);
    if (events & (EPOLLIN | EPOLLRDHUP)) {
      char buffer[4096];
      for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
          received.append(buffer, static_cast<std::size_t>(n));
          continue;
        }
        if (n == 0) peer_closed = true;
        break;
      }
    }
    if (also) also();
  }
  std::size_t inputs() const {
    std::size_t count = 0;
    for (auto events : told) count += (events & EPOLLIN) ? 1 : 0;
    return count;
  }
};

// Runs `io` until `done()` or a few seconds have passed.
template <typename Done>
bool run_until(boost::asio::io_context& io, Done done) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(10ms);
  }
  return done();
}

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

TEST(SocketReadiness, TellsOfInputOncePerArrival) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  TcpPair pair;
  auto recorder = std::make_shared<Recorder>();
  recorder->fd = pair.server;
  auto handle = readiness.watch(pair.server, recorder);
  ASSERT_TRUE(handle.active());
  EXPECT_EQ(readiness.size(), 1u);

  send_text(pair.client, "hello");
  ASSERT_TRUE(run_until(io, [&] { return recorder->received == "hello"; }));
  const std::size_t inputs = recorder->inputs();
  // Edge-triggered: nothing new arrived, so nothing more is told.
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(recorder->inputs(), inputs);

  send_text(pair.client, " again");
  ASSERT_TRUE(run_until(io, [&] { return recorder->received == "hello again"; }));
  EXPECT_EQ(recorder->inputs(), inputs + 1);
  readiness.unwatch(pair.server, handle);
  EXPECT_FALSE(handle.active());
  EXPECT_EQ(readiness.size(), 0u);
}

TEST(SocketReadiness, TellsOfRoomAfterAFullSocketDrains) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  TcpPair pair;
  int small = 4096;
  ::setsockopt(pair.server, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  auto recorder = std::make_shared<Recorder>();
  recorder->fd = pair.server;
  auto handle = readiness.watch(pair.server, recorder);
  ASSERT_TRUE(handle.active());
  // Writable at once: told on registration.
  ASSERT_TRUE(run_until(io, [&] { return !recorder->told.empty(); }));
  EXPECT_TRUE(recorder->told.front() & EPOLLOUT);

  // Fill the socket until the kernel refuses more.
  const std::string chunk(65536, 'x');
  std::size_t written = 0;
  for (;;) {
    const ssize_t n = ::send(pair.server, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  recorder->told.clear();
  // The client reads everything: the socket has room again, and the listener is told so.
  std::size_t drained = 0;
  char buffer[65536];
  const bool room = run_until(io, [&] {
    for (;;) {
      const ssize_t n = ::recv(pair.client, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n <= 0) break;
      drained += static_cast<std::size_t>(n);
    }
    for (auto events : recorder->told)
      if (events & EPOLLOUT) return true;
    return false;
  });
  EXPECT_TRUE(room);
  EXPECT_GT(written, 0u);
  EXPECT_GT(drained, 0u);
  readiness.unwatch(pair.server, handle);
}

TEST(SocketReadiness, ToldOfThePeerClosing) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  TcpPair pair;
  auto recorder = std::make_shared<Recorder>();
  recorder->fd = pair.server;
  auto handle = readiness.watch(pair.server, recorder);
  send_text(pair.client, "bye");
  ::close(pair.client);
  pair.client = -1;
  ASSERT_TRUE(run_until(io, [&] { return recorder->peer_closed; }));
  EXPECT_EQ(recorder->received, "bye");
  readiness.unwatch(pair.server, handle);
}

TEST(SocketReadiness, AListenerThatUnwatchesItselfIsReleasedAfterItsCall) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  TcpPair pair;
  auto recorder = std::make_shared<Recorder>();
  recorder->fd = pair.server;
  std::weak_ptr<Recorder> watched = recorder;
  auto handle = readiness.watch(pair.server, recorder);
  bool alive_in_call = false;
  std::string received;
  int calls = 0;
  auto* raw = recorder.get();
  raw->also = [&, raw] {
    ++calls;
    if (!raw->received.empty() && handle.active()) {
      received = raw->received;
      readiness.unwatch(pair.server, handle);
      alive_in_call = !watched.expired();
    }
  };
  // Only the registration holds it now.
  recorder.reset();
  send_text(pair.client, "x");
  ASSERT_TRUE(run_until(io, [&] { return !handle.active(); }));
  EXPECT_TRUE(alive_in_call);
  EXPECT_EQ(received, "x");
  // Released by the handler posted for it, after the call returned.
  ASSERT_TRUE(run_until(io, [&] { return watched.expired(); }));
  const int calls_then = calls;
  send_text(pair.client, "y");  // nothing watches the socket: nobody is told
  io.restart();
  io.run_for(50ms);
  EXPECT_EQ(calls, calls_then);
  EXPECT_EQ(readiness.size(), 0u);
}

// A listening socket with nobody connecting has nothing to report: its listener is told only of
// events that are not its own.
int quiet_listening_socket() {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // an ephemeral port of 127.0.0.1
  EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(listener, 1), 0);
  return listener;
}

TEST(SocketReadiness, AnEventOfASocketUnwatchedInTheSameBatchIsNotDeliveredToItsSlotsNextOwner) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  TcpPair first, second;
  std::shared_ptr<Recorder> recorders[2] = {std::make_shared<Recorder>(),
                                            std::make_shared<Recorder>()};
  const int fds[2] = {first.server, second.server};
  SocketReadiness::Handle handles[2];
  for (int i = 0; i < 2; ++i) {
    recorders[i]->fd = fds[i];
    handles[i] = readiness.watch(fds[i], recorders[i]);
  }
  // Both are writable at once, so both events are in the first batch. The first to be told
  // unwatches the other, and a quiet socket is watched in its place (the slot is reused): the
  // other's event, still in the batch, must not reach the quiet socket's listener.
  const int quiet = quiet_listening_socket();
  auto newcomer = std::make_shared<Recorder>();
  newcomer->fd = quiet;
  SocketReadiness::Handle newcomer_handle;
  int told_first = -1;
  for (int i = 0; i < 2; ++i) {
    recorders[i]->also = [&, i] {
      if (told_first >= 0) return;
      told_first = i;
      const int other = 1 - i;
      const auto freed_slot = handles[other].slot;
      readiness.unwatch(fds[other], handles[other]);
      newcomer_handle = readiness.watch(quiet, newcomer);
      EXPECT_EQ(newcomer_handle.slot, freed_slot);
    };
  }
  ASSERT_TRUE(run_until(io, [&] { return told_first >= 0; }));
  io.restart();
  io.run_for(50ms);
  EXPECT_TRUE(newcomer->told.empty());
  EXPECT_TRUE(recorders[1 - told_first]->told.empty());
  readiness.unwatch(fds[told_first], handles[told_first]);
  readiness.unwatch(quiet, newcomer_handle);
  ::close(quiet);
}

TEST(SocketReadiness, ReleaseAllLetsGoOfEveryListener) {
  boost::asio::io_context io;
  std::weak_ptr<Recorder> watched;
  TcpPair pair;
  {
    SocketReadiness readiness(io);
    auto recorder = std::make_shared<Recorder>();
    watched = recorder;
    readiness.watch(pair.server, std::move(recorder));
    EXPECT_FALSE(watched.expired());
    readiness.release_all();
    EXPECT_TRUE(watched.expired());
  }
}

TEST(SocketReadiness, MoreReadySocketsThanOneBatchAreAllTold) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  constexpr int kSockets = SocketReadiness::kBatch * 3 + 5;
  std::vector<std::unique_ptr<TcpPair>> pairs;
  std::vector<std::shared_ptr<Recorder>> recorders;
  std::vector<SocketReadiness::Handle> handles;
  for (int i = 0; i < kSockets; ++i) {
    pairs.push_back(std::make_unique<TcpPair>());
    recorders.push_back(std::make_shared<Recorder>());
    recorders.back()->fd = pairs.back()->server;
    handles.push_back(readiness.watch(pairs.back()->server, recorders.back()));
    ASSERT_TRUE(handles.back().active());
  }
  for (int i = 0; i < kSockets; ++i) send_text(pairs[i]->client, std::to_string(i));
  ASSERT_TRUE(run_until(io, [&] {
    for (int i = 0; i < kSockets; ++i)
      if (recorders[i]->received != std::to_string(i)) return false;
    return true;
  }));
  // Unwatched slots are reused.
  for (int i = 0; i < kSockets; ++i) readiness.unwatch(pairs[i]->server, handles[i]);
  EXPECT_EQ(readiness.size(), 0u);
  TcpPair again;
  auto recorder = std::make_shared<Recorder>();
  recorder->fd = again.server;
  auto handle = readiness.watch(again.server, recorder);
  EXPECT_LT(handle.slot, static_cast<std::uint32_t>(kSockets));
  send_text(again.client, "reused");
  ASSERT_TRUE(run_until(io, [&] { return recorder->received == "reused"; }));
  readiness.unwatch(again.server, handle);
}

TEST(SocketReadiness, ARefusedRegistrationSaysWhy) {
  boost::asio::io_context io;
  SocketReadiness readiness(io);
  const int closed = ::dup(0);
  ::close(closed);
  auto handle = readiness.watch(closed, std::make_shared<Recorder>());
  EXPECT_FALSE(handle.active());
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(readiness.size(), 0u);
  // A regular file cannot be watched either (epoll refuses it).
  const int file = ::open("/proc/self/status", O_RDONLY);
  ASSERT_GE(file, 0);
  auto refused = readiness.watch(file, std::make_shared<Recorder>());
  EXPECT_FALSE(refused.active());
  EXPECT_EQ(errno, EPERM);
  ::close(file);
}

}  // namespace
