// The load: N client connections on one io_context, their setup (negotiate, connect from several
// source addresses, protocol handshake, group joins), the sender and the stdin control loop.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "net.hpp"
#include "options.hpp"
#include "stats.hpp"

namespace lc {

struct Connection {
  explicit Connection(asio::io_context& io) : ws(io) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::deque<std::pair<std::string, bool>> outbox;  // frame, binary
  bool writing = false;
  bool open = false;
  bool handshaken = false;
  std::uint32_t deliveries = 0;
  std::string id;  // SignalR connection id
};

class Runner {
 public:
  explicit Runner(Options options);
  int run();  // blocks until "stop"

 private:
  awaitable<void> setup_worker();
  awaitable<void> open(Connection& c, int index, std::string target);
  awaitable<void> read_loop(Connection& c);
  awaitable<void> write_loop(Connection& c);
  awaitable<void> keepalive_loop();
  awaitable<void> control_loop();
  awaitable<void> sender();
  void send(Connection& c, std::string frame, bool binary);
  void handle(Connection& c, std::string_view frame, bool binary);
  std::string report_json();
  void reset_stats();

  Options options_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<Connection>> connections_;
  int next_index_ = 0;
  int workers_left_ = 0;
  int failed_ = 0;
  std::string first_error_;
  std::string rest_token_;
  Stats stats_;
  std::uint64_t sent_ok_ = 0, sent_failed_ = 0;
  std::uint64_t setup_started_us_ = 0, setup_done_us_ = 0;
  bool stopping_ = false;
};

}  // namespace lc
