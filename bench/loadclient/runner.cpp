// Connection setup and the receive path. Everything runs on one thread: no locks anywhere.
#include "runner.hpp"

#include <netinet/in.h>

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
  for (int i = 0; i < options_.clients; ++i) connections_.push_back(std::make_unique<Connection>(io_));
  if (!options_.access_key.empty())
    rest_token_ = mint_token(options_.access_key, "http://localhost/api/hubs/" + options_.hub, "", 7 * 86400);
  if (options_.send_auth == "mint") options_.send_auth = rest_token_;
}

int Runner::run() {
  setup_started_us_ = monotonic_us();
  workers_left_ = std::max(1, std::min(options_.connect_concurrency, options_.clients));
  for (int w = 0; w < workers_left_; ++w) asio::co_spawn(io_, setup_worker(), asio::detached);
  io_.run();
  return 0;
}

awaitable<void> Runner::setup_worker() {
  HttpSession http(io_, options_.host, options_.port);
  const bool signalr = is_signalr(options_.protocol);
  while (next_index_ < options_.clients) {
    int i = next_index_++;
    Connection& c = *connections_[static_cast<std::size_t>(i)];
    std::string user = "u" + std::to_string(i);
    std::string group = options_.groups > 0 ? "g" + std::to_string(i % options_.groups) : "";
    try {
      std::string target;
      if (signalr) {
        std::string token = mint_token(options_.access_key, "http://localhost/client/?hub=" + options_.hub,
                                       user, 7 * 86400);
        auto res = co_await http.request(http::verb::post,
                                         "/client/negotiate?hub=" + options_.hub + "&negotiateVersion=1",
                                         "", token);
        if (res.result_int() != 200)
          throw std::runtime_error("negotiate " + std::to_string(res.result_int()) + ": " + res.body());
        std::string connection_token = json_string_field(res.body(), "connectionToken");
        c.id = json_string_field(res.body(), "connectionId");
        target = "/client/?hub=" + options_.hub + "&id=" + url_encode(connection_token) +
                 "&access_token=" + token;
      } else if (options_.protocol == Protocol::ws) {
        target = "/?user=" + user + (group.empty() ? "" : "&group=" + group);
      } else {
        target = "/socket.io/?EIO=4&transport=websocket&user=" + user + (group.empty() ? "" : "&group=" + group);
      }
      co_await open(c, i, std::move(target));
      if (signalr && !group.empty()) {
        auto res = co_await http.request(http::verb::put,
                                         "/api/hubs/" + options_.hub + "/groups/" + group + "/connections/" +
                                             c.id + "?api-version=2022-06-01",
                                         "", rest_token_);
        if (res.result_int() / 100 != 2)
          throw std::runtime_error("group join " + std::to_string(res.result_int()) + ": " + res.body());
      }
    } catch (const std::exception& e) {
      ++failed_;
      if (first_error_.empty()) first_error_ = e.what();
    }
  }
  if (--workers_left_ == 0) {
    setup_done_us_ = monotonic_us();
    int connected = options_.clients - failed_;
    std::cerr << "READY connected=" << connected << " failed=" << failed_ << " setup_s="
              << static_cast<double>(setup_done_us_ - setup_started_us_) / 1e6
              << (first_error_.empty() ? "" : " first_error=" + first_error_) << std::endl;
    reset_stats();
    asio::co_spawn(io_, keepalive_loop(), asio::detached);
    asio::co_spawn(io_, control_loop(), asio::detached);
  }
}

awaitable<void> Runner::open(Connection& c, int index, std::string target) {
  auto& socket = c.ws.next_layer();
  socket.open(tcp::v4());
  // Spread the connections over 127.0.0.1..N so that 100k of them fit in the ephemeral ports;
  // IP_BIND_ADDRESS_NO_PORT lets connect() pick the port per destination.
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  asio::ip::address_v4::bytes_type source{127, 0, 0, static_cast<unsigned char>(1 + index % options_.sources)};
  socket.bind(tcp::endpoint(asio::ip::address_v4(source), 0));
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address(options_.host), options_.port), use_awaitable);
  socket.set_option(tcp::no_delay(true));
  c.ws.auto_fragment(false);
  co_await c.ws.async_handshake(options_.host + ":" + std::to_string(options_.port), target, use_awaitable);
  c.open = true;
  if (auto first = opening_frame(options_.protocol); !first.empty()) send(c, std::move(first), false);
  if (options_.protocol == Protocol::ws) c.handshaken = true;
  // Read until the protocol handshake completes, so that READY means "all can receive".
  while (!c.handshaken) {
    co_await c.ws.async_read(c.buffer, use_awaitable);
    std::string frame = beast::buffers_to_string(c.buffer.data());
    c.buffer.consume(c.buffer.size());
    auto r = on_frame(options_.protocol, frame, !c.ws.got_text(), false);
    for (auto& reply : r.replies) send(c, std::move(reply), false);
    if (!r.error.empty()) throw std::runtime_error("handshake: " + r.error);
    if (r.handshake_done) c.handshaken = true;
    if (r.closed) throw std::runtime_error("closed during handshake");
  }
  asio::co_spawn(io_, read_loop(c), asio::detached);
}

void Runner::handle(Connection& c, std::string_view frame, bool binary) {
  auto r = on_frame(options_.protocol, frame, binary, true);
  if (!r.timestamps.empty()) {
    std::uint64_t now = monotonic_us();
    for (auto ts : r.timestamps) stats_.delivered(now, ts, ts != 0);
    c.deliveries += static_cast<std::uint32_t>(r.timestamps.size());
  }
  stats_.pings += r.pings;
  for (auto& reply : r.replies) send(c, std::move(reply), false);
  if (r.closed) ++stats_.closes;
}

awaitable<void> Runner::read_loop(Connection& c) {
  try {
    for (;;) {
      co_await c.ws.async_read(c.buffer, use_awaitable);
      auto data = c.buffer.data();
      handle(c, std::string_view(static_cast<const char*>(data.data()), data.size()), !c.ws.got_text());
      c.buffer.consume(c.buffer.size());
    }
  } catch (const std::exception&) {
    if (c.open && !stopping_) ++stats_.closes;
    c.open = false;
  }
}

void Runner::send(Connection& c, std::string frame, bool binary) {
  if (!c.open) return;
  c.outbox.emplace_back(std::move(frame), binary);
  if (!c.writing) {
    c.writing = true;
    asio::co_spawn(io_, write_loop(c), asio::detached);
  }
}

awaitable<void> Runner::write_loop(Connection& c) {
  try {
    while (!c.outbox.empty()) {
      auto [frame, binary] = std::move(c.outbox.front());
      c.outbox.pop_front();
      c.ws.binary(binary);
      co_await c.ws.async_write(asio::buffer(frame), use_awaitable);
    }
  } catch (const std::exception&) {
    c.outbox.clear();
  }
  c.writing = false;
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
