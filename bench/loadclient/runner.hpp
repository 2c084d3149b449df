// The load: N client connections on one io_context, their setup (negotiate, connect from several
// source addresses, protocol handshake, group joins), the sender and the stdin control loop.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net.hpp"
#include "options.hpp"
#include "stats.hpp"
#include "ws_frames.hpp"

namespace lc {

class HttpSession;

struct Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  FrameReader reader;
  std::string outbox;  // framed bytes not yet written
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
  // Sets up the connections of pending_ (negotiate, connect, handshake, group join), several at
  // once; the last worker to finish reports READY (the first setup) or RECONNECTED (a reconnect).
  awaitable<void> setup_worker();
  void start_setup(std::vector<int> indices, int concurrency);
  // The timed part of a setup: `workers` setup workers over pending_.
  void begin_setup(int workers);
  // --negotiate-first: every client of pending_ negotiated by 64 keep-alive sessions, then
  // "NEGOTIATED"; the "go" command begins the setup with `workers` workers.
  awaitable<void> negotiate_worker(int workers);
  // Client i's negotiate on `http` (its connection id recorded); the WebSocket target it gives.
  awaitable<std::string> negotiate(HttpSession& http, int i);
  // Starts `workers` setup workers, 64 at a time with a turn of the event loop in between.
  awaitable<void> spawn_workers(int workers);
  // The "reconnect N" command: the first N open connections dropped at once (closed abruptly),
  // then set up again with N at once: a reconnection storm.
  void reconnect(int count);
  awaitable<void> open(Connection& c, int index, const Endpoint& server, std::string target);
  // Readiness-based reads: wait, then drain the socket into a scratch buffer (no per-read
  // coroutine or allocation, one recv() per wake-up in the common case).
  void wait_readable(Connection& c);
  void read_ready(Connection& c);
  // Whole frames read so far; false when the connection is to end.
  bool dispatch(Connection& c);
  void write_more(Connection& c);
  awaitable<void> keepalive_loop();
  awaitable<void> control_loop();
  awaitable<void> sender(double rate, int pad);
  // Frames `payload` (Text, or Binary) and writes it; queue_frame() takes a whole frame.
  void send(Connection& c, std::string payload, bool binary);
  void queue_frame(Connection& c, std::string_view frame);
  void handle(Connection& c, std::string_view frame, bool binary);
  void lost(Connection& c);
  std::string report_json();
  void reset_stats();

  Options options_;
  asio::io_context io_{1};
  std::vector<std::unique_ptr<Connection>> connections_;
  // Dropped connections, kept until the end: their cancelled handlers still refer to them.
  std::vector<std::unique_ptr<Connection>> retired_;
  std::vector<int> pending_;  // indices being set up
  std::size_t next_pending_ = 0;
  bool ready_ = false;  // the first setup finished
  int workers_left_ = 0;
  int setup_total_ = 0;       // clients in this setup, failed ones included
  int negotiators_left_ = 0;  // --negotiate-first: sessions still negotiating
  int go_workers_ = 0;        // --negotiate-first: waiting for "go" with this many workers
  std::uint64_t negotiate_started_us_ = 0;
  std::vector<int> negotiated_;       // --negotiate-first: the clients whose negotiate succeeded
  std::vector<std::string> targets_;  // --negotiate-first: client i's WebSocket target
  int failed_ = 0;
  std::string first_error_;
  std::string rest_token_;
  // Client i's access token, minted before any connection is set up: a client has its token before
  // it connects, so that in a storm each sends its negotiate as soon as its connection is open
  // (minted per connection, 10,000 HMACs delayed the first requests until every connect was done).
  std::vector<std::string> client_tokens_;
  Stats stats_;
  std::uint64_t sent_ok_ = 0, sent_failed_ = 0;
  std::uint64_t setup_started_us_ = 0, setup_done_us_ = 0;
  bool stopping_ = false;
  std::uint64_t arrival_us_ = 0;  // kernel receive time of the bytes being dispatched (0: none)
};

}  // namespace lc
