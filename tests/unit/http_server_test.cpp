// Unit test of the HTTP listener (net/http_server): a socket it accepts has TCP_NODELAY, which
// it gets from the listener (Linux copies the option to accepted sockets; the server no longer
// sets it per connection), so small frames leave at once.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "exec/shard.hpp"
#include "net/http_server.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Takes every request's socket over (wants_socket) and records its TCP_NODELAY.
struct NoDelayProbe : switchboard::net::HttpHandler {
  std::optional<int> no_delay;
  switchboard::exec::Shard* shard = nullptr;
  asio::awaitable<switchboard::net::Response> handle(switchboard::net::Request&,
                                                     const asio::ip::address&) override {
    co_return switchboard::net::Response{};
  }
  bool wants_socket(const switchboard::net::Request&) const override { return true; }
  void upgrade(asio::ip::tcp::socket socket, switchboard::net::Request, switchboard::exec::Shard&,
               const asio::ip::address&) override {
    int value = -1;
    socklen_t size = sizeof value;
    if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NODELAY, &value, &size) == 0)
      no_delay = value;
    shard->io().stop();
  }
};

TEST(HttpServer, AcceptedSocketsHaveNoDelay) {
  switchboard::exec::Shard shard(0);
  NoDelayProbe probe;
  probe.shard = &shard;
  switchboard::net::HttpServer server({&shard}, probe, {});
  server.listen("127.0.0.1", 0);

  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(client, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_EQ(::send(client, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));

  asio::steady_timer deadline(shard.io(), 5s);  // a failure ends the run rather than hanging it
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) shard.io().stop();
  });
  shard.run();
  server.stop();
  ::close(client);
  ASSERT_TRUE(probe.no_delay.has_value()) << "the request's socket never reached the handler";
  EXPECT_NE(*probe.no_delay, 0);
}

}  // namespace
