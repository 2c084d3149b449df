// Connection setup and the receive path. Everything runs on one thread: no locks anywhere.
#include "runner.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <iostream>

#include "clock.hpp"
#include "http_session.hpp"
#include "jwt.hpp"

namespace lc {
namespace {

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string json_string_field(std::string_view body, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\":\"";
  auto pos = body.find(key);
  if (pos == std::string_view::npos) return {};
  pos += key.size();
  auto end = body.find('"', pos);
  return end == std::string_view::npos ? std::string{} : std::string(body.substr(pos, end - pos));
}

}  // namespace

Runner::Runner(Options options) : options_(std::move(options)) {
  connections_.reserve(static_cast<std::size_t>(options_.clients));
  for (int i = 0; i < options_.clients; ++i)
    connections_.push_back(std::make_unique<Connection>(io_));
  if (!options_.access_key.empty())
    rest_token_ =
        mint_token(options_.access_key, "http://localhost/api/hubs/" + options_.hub, "", 7 * 86400);
  if (options_.send_auth == "mint") options_.send_auth = rest_token_;
  if (is_signalr(options_.protocol)) {
    client_tokens_.reserve(static_cast<std::size_t>(options_.clients));
    for (int i = 0; i < options_.clients; ++i)
      client_tokens_.push_back(mint_token(options_.access_key,
                                          "http://localhost/client/?hub=" + options_.hub,
                                          "u" + std::to_string(i), 7 * 86400));
  }
}

int Runner::run() {
  std::vector<int> all(static_cast<std::size_t>(options_.clients));
  for (int i = 0; i < options_.clients; ++i) all[static_cast<std::size_t>(i)] = i;
  start_setup(std::move(all), options_.connect_concurrency);
  // With --negotiate-first the first setup waits for "go": the control loop runs from the start.
  if (options_.negotiate_first) asio::co_spawn(io_, control_loop(), asio::detached);
  io_.run();
  return 0;
}

void Runner::start_setup(std::vector<int> indices, int concurrency) {
  pending_ = std::move(indices);
  next_pending_ = 0;
  failed_ = 0;
  first_error_.clear();
  setup_total_ = static_cast<int>(pending_.size());
  const int workers = std::max(1, std::min(concurrency, setup_total_));
  if (options_.negotiate_first && is_signalr(options_.protocol)) {
    targets_.resize(connections_.size());
    negotiated_.clear();
    negotiate_started_us_ = monotonic_us();
    negotiators_left_ = std::max(1, std::min(64, setup_total_));
    for (int n = negotiators_left_; n > 0; --n)
      asio::co_spawn(io_, negotiate_worker(workers), asio::detached);
    return;
  }
  begin_setup(workers);
}

void Runner::begin_setup(int workers) {
  next_pending_ = 0;
  setup_started_us_ = monotonic_us();
  workers_left_ = std::min(workers, std::max(1, static_cast<int>(pending_.size())));
  asio::co_spawn(io_, spawn_workers(workers_left_), asio::detached);
}

awaitable<std::string> Runner::negotiate(HttpSession& http, int i) {
  const std::string& token = client_tokens_[static_cast<std::size_t>(i)];
  auto res = co_await http.request(
      http::verb::post, "/client/negotiate?hub=" + options_.hub + "&negotiateVersion=1", "", token);
  if (res.result_int() != 200)
    throw std::runtime_error("negotiate " + std::to_string(res.result_int()) + ": " + res.body());
  connections_[static_cast<std::size_t>(i)]->id = json_string_field(res.body(), "connectionId");
  co_return "/client/?hub=" + options_.hub +
      "&id=" + url_encode(json_string_field(res.body(), "connectionToken")) +
      "&access_token=" + token;
}

awaitable<void> Runner::negotiate_worker(int workers) {
  HttpSession http(io_, options_.targets[0].host, options_.targets[0].port);
  while (next_pending_ < pending_.size()) {
    const int i = pending_[next_pending_++];
    try {
      targets_[static_cast<std::size_t>(i)] = co_await negotiate(http, i);
      negotiated_.push_back(i);
    } catch (const std::exception& e) {
      ++failed_;
      if (first_error_.empty()) first_error_ = e.what();
    }
  }
  if (--negotiators_left_ > 0) co_return;
  pending_ = negotiated_;
  go_workers_ = workers;
  std::cerr << "NEGOTIATED " << negotiated_.size() << " "
            << static_cast<double>(monotonic_us() - negotiate_started_us_) / 1e6 << std::endl;
}

awaitable<void> Runner::spawn_workers(int workers) {
  // Started all at once, 10,000 workers would each open their connection before any of them got
  // to write its request (the event loop reaches the completions only after every start): the
  // server would see 10,000 silent connections first, which no crowd of real clients (each
  // sending as soon as its own connection is open) looks like. Between slices of 64 starts the
  // loop handles the completions, so requests follow their connects as a crowd's do.
  for (int w = 0; w < workers; ++w) {
    asio::co_spawn(io_, setup_worker(), asio::detached);
    if (w % 64 == 63) co_await asio::post(io_, use_awaitable);
  }
}

void Runner::reconnect(int count) {
  if (workers_left_ > 0 || negotiators_left_ > 0 || go_workers_ > 0) {
    std::cerr << "reconnect: a setup is still running" << std::endl;
    return;
  }
  std::vector<int> dropped;
  for (std::size_t i = 0; i < connections_.size() && static_cast<int>(dropped.size()) < count;
       ++i) {
    Connection& c = *connections_[i];
    if (!c.open) continue;
    c.open = false;
    // Abrupt, as a network drop or a killed browser: RST instead of a close handshake.
    ::linger hard{1, 0};
    ::setsockopt(c.socket.native_handle(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    boost::system::error_code ignored;
    c.socket.close(ignored);
    retired_.push_back(std::move(connections_[i]));
    connections_[i] = std::make_unique<Connection>(io_);
    dropped.push_back(static_cast<int>(i));
  }
  std::cerr << "DROPPED " << dropped.size() << std::endl;
  const int at_once = static_cast<int>(dropped.size());
  start_setup(std::move(dropped), at_once);
}

awaitable<void> Runner::setup_worker() {
  // One control session per server: each client negotiates (and joins groups) where it connects.
  std::vector<std::unique_ptr<HttpSession>> sessions;
  for (const auto& t : options_.targets)
    sessions.push_back(std::make_unique<HttpSession>(io_, t.host, t.port));
  const bool signalr = is_signalr(options_.protocol);
  while (next_pending_ < pending_.size()) {
    int i = pending_[next_pending_++];
    Connection& c = *connections_[static_cast<std::size_t>(i)];
    const std::size_t t = static_cast<std::size_t>(i) % options_.targets.size();
    HttpSession& http = *sessions[t];
    std::string user = "u" + std::to_string(i);
    std::string group = options_.groups > 0 ? "g" + std::to_string(i % options_.groups) : "";
    try {
      std::string target;
      if (signalr && !targets_.empty() && !targets_[static_cast<std::size_t>(i)].empty()) {
        target = std::move(targets_[static_cast<std::size_t>(i)]);  // --negotiate-first
        targets_[static_cast<std::size_t>(i)].clear();
      } else if (signalr) {
        target = co_await negotiate(http, i);
        // A worker with nothing left to set up after this one lets its HTTP connection go now: in a
        // storm (a worker per client) the negotiate connections would otherwise double the
        // descriptors in use, here and on the server, until every client is connected.
        if (next_pending_ >= pending_.size() && group.empty()) sessions.clear();
      } else if (options_.protocol == Protocol::ws) {
        target = "/?user=" + user + (group.empty() ? "" : "&group=" + group);
      } else {
        target = "/socket.io/?EIO=4&transport=websocket&user=" + user +
                 (group.empty() ? "" : "&group=" + group);
      }
      co_await open(c, i, options_.targets[t], std::move(target));
      if (signalr && !group.empty()) {
        auto res = co_await http.request(http::verb::put,
                                         "/api/hubs/" + options_.hub + "/groups/" + group +
                                             "/connections/" + c.id + "?api-version=2022-06-01",
                                         "", rest_token_);
        if (res.result_int() / 100 != 2)
          throw std::runtime_error("group join " + std::to_string(res.result_int()) + ": " +
                                   res.body());
      }
    } catch (const std::exception& e) {
      ++failed_;
      if (first_error_.empty()) first_error_ = e.what();
    }
  }
  if (--workers_left_ == 0) {
    setup_done_us_ = monotonic_us();
    int connected = setup_total_ - failed_;
    std::cerr << (ready_ ? "RECONNECTED" : "READY") << " connected=" << connected
              << " failed=" << failed_
              << " setup_s=" << static_cast<double>(setup_done_us_ - setup_started_us_) / 1e6
              << (first_error_.empty() ? "" : " first_error=" + first_error_) << std::endl;
    if (!ready_) {
      ready_ = true;
      reset_stats();
      asio::co_spawn(io_, keepalive_loop(), asio::detached);
      if (!options_.negotiate_first) asio::co_spawn(io_, control_loop(), asio::detached);
    }
  }
}

awaitable<void> Runner::open(Connection& c, int index, const Endpoint& server, std::string target) {
  auto& socket = c.socket;
  socket.open(tcp::v4());
  // Spread the connections over 127.0.0.1..N so that 100k of them fit in the ephemeral ports;
  // IP_BIND_ADDRESS_NO_PORT lets connect() pick the port per destination.
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  asio::ip::address_v4::bytes_type source{127, 0, 0,
                                          static_cast<unsigned char>(1 + index % options_.sources)};
  socket.bind(tcp::endpoint(asio::ip::address_v4(source), 0));
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address(server.host), server.port),
                                use_awaitable);
  socket.set_option(tcp::no_delay(true));
  // Kernel receive timestamps: when the server's bytes reached this socket.
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  // The WebSocket upgrade, by hand: bytes after the 101 answer's head are frames already.
  co_await asio::async_write(
      socket,
      asio::buffer(upgrade_request(server.host + ":" + std::to_string(server.port), target)),
      use_awaitable);
  std::string head;
  std::size_t head_end = co_await asio::async_read_until(socket, asio::dynamic_buffer(head),
                                                         "\r\n\r\n", use_awaitable);
  if (head.compare(0, 12, "HTTP/1.1 101") != 0)
    throw std::runtime_error("upgrade refused: " + head.substr(0, head.find('\r')));
  c.reader.feed(std::string_view(head).substr(head_end));
  c.open = true;
  if (auto first = opening_frame(options_.protocol); !first.empty())
    send(c, std::move(first), false);
  if (options_.protocol == Protocol::ws) c.handshaken = true;
  // Read until the protocol handshake completes, so that READY means "all can receive".
  char chunk[4096];
  for (;;) {
    ServerFrame frame;
    while (!c.handshaken && c.reader.next(frame)) {
      auto r = on_frame(options_.protocol, frame.payload, frame.opcode == Opcode::binary, false);
      for (auto& reply : r.replies) send(c, std::move(reply), false);
      if (!r.error.empty()) throw std::runtime_error("handshake: " + r.error);
      if (r.handshake_done) c.handshaken = true;
      if (r.closed || frame.opcode == Opcode::close)
        throw std::runtime_error("closed during handshake");
    }
    if (c.handshaken) break;
    if (c.reader.failed()) throw std::runtime_error("bad frame during handshake");
    std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), use_awaitable);
    c.reader.feed(std::string_view(chunk, n));
  }
  // Frames that came with the handshake answer are deliveries already.
  if (!dispatch(c)) co_return;
  wait_readable(c);
}

void Runner::handle(Connection& c, std::string_view frame, bool binary) {
  auto r = on_frame(options_.protocol, frame, binary, true);
  if (!r.timestamps.empty()) {
    std::uint64_t now = monotonic_us();
    for (auto ts : r.timestamps) {
      stats_.delivered(now, ts, ts != 0);
      if (ts != 0 && arrival_us_ != 0) stats_.arrived(arrival_us_, ts);
    }
    c.deliveries += static_cast<std::uint32_t>(r.timestamps.size());
  }
  stats_.pings += r.pings;
  for (auto& reply : r.replies) send(c, std::move(reply), false);
  if (r.closed) ++stats_.closes;
}

void Runner::lost(Connection& c) {
  if (c.open && !stopping_) ++stats_.closes;
  c.open = false;
  boost::system::error_code ignored;
  c.socket.close(ignored);
}

void Runner::wait_readable(Connection& c) {
  c.socket.async_wait(tcp::socket::wait_read, [this, &c](boost::system::error_code ec) {
    if (ec || !c.open) {
      if (c.open) lost(c);
      return;
    }
    read_ready(c);
  });
}

void Runner::read_ready(Connection& c) {
  static char scratch[64 * 1024];
  for (;;) {
    iovec data{scratch, sizeof scratch};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(c.socket.native_handle(), &message, MSG_DONTWAIT);
    if (n > 0) {
      arrival_us_ = 0;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&message); cm; cm = CMSG_NXTHDR(&message, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
          timespec at{};
          std::memcpy(&at, CMSG_DATA(cm), sizeof at);
          arrival_us_ = realtime_to_monotonic_us(at);
        }
      }
      c.reader.feed(std::string_view(scratch, static_cast<std::size_t>(n)));
      const bool go_on = dispatch(c);
      arrival_us_ = 0;
      if (!go_on) return;
      if (static_cast<std::size_t>(n) < sizeof scratch) break;  // drained
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    lost(c);  // 0: the server closed; < 0: an error
    return;
  }
  wait_readable(c);
}

bool Runner::dispatch(Connection& c) {
  ServerFrame frame;
  while (c.reader.next(frame)) {
    switch (frame.opcode) {
      case Opcode::text:
      case Opcode::binary:
        handle(c, frame.payload, frame.opcode == Opcode::binary);
        break;
      case Opcode::ping:
        queue_frame(c, client_frame(Opcode::pong, frame.payload));
        break;
      case Opcode::close:
        lost(c);
        return false;
      default:
        break;
    }
  }
  if (c.reader.failed()) {
    lost(c);
    return false;
  }
  return true;
}

void Runner::send(Connection& c, std::string payload, bool binary) {
  queue_frame(c, client_frame(binary ? Opcode::binary : Opcode::text, payload));
}

void Runner::queue_frame(Connection& c, std::string_view frame) {
  if (!c.open) return;
  c.outbox.append(frame);
  if (!c.writing) write_more(c);
}

void Runner::write_more(Connection& c) {
  while (!c.outbox.empty()) {
    ssize_t n = ::send(c.socket.native_handle(), c.outbox.data(), c.outbox.size(),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      c.outbox.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.writing = true;
      c.socket.async_wait(tcp::socket::wait_write, [this, &c](boost::system::error_code ec) {
        c.writing = false;
        if (ec || !c.open) {
          c.outbox.clear();
          return;
        }
        write_more(c);
      });
      return;
    }
    c.outbox.clear();
    return;
  }
}

awaitable<void> Runner::keepalive_loop() {
  std::string frame = keepalive_frame(options_.protocol);
  if (frame.empty()) co_return;
  bool binary = options_.protocol == Protocol::msgpack;
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(std::chrono::seconds(options_.keepalive_s));
    co_await timer.async_wait(use_awaitable);
    for (auto& c : connections_)
      if (c->open && c->handshaken) send(*c, frame, binary);
  }
}

}  // namespace lc
