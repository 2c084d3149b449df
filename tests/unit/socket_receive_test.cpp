// Unit tests for a session's read (net/socket_receive) on real loopback TCP sockets through Asio:
// what is there already comes without a wait; a read that waits first gets what arrives later; at
// most `most` bytes come, and `drained` says whether the socket was left empty; the end of the
// stream is eof; a cancelled wait ends with operation_aborted.
#include "net/socket_receive.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "loopback_tcp.hpp"

namespace switchboard::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Session {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  int peer = -1;  // the client's end
  boost::beast::flat_buffer buffer;
  Session() {
    int accepted = -1;
    switchboard::testing::connect_loopback(accepted, peer);
    socket.assign(asio::ip::tcp::v4(), accepted);
  }
  ~Session() {
    if (peer >= 0) ::close(peer);
  }
  void client_sends(const std::string& text) const {
    ASSERT_EQ(::send(peer, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
  }
  // Runs one receive_some to its end (the io_context at most 2 s).
  Received receive(std::size_t most, bool wait_first, boost::system::error_code& ec) {
    std::optional<Received> got;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          got = co_await receive_some(socket, buffer, most, wait_first, ec);
        },
        asio::detached);
    io.restart();
    io.run_for(2s);
    EXPECT_TRUE(got.has_value()) << "receive_some did not finish";
    return got.value_or(Received{});
  }
  std::string take() {
    std::string text(static_cast<const char*>(buffer.data().data()), buffer.size());
    buffer.consume(buffer.size());
    return text;
  }
};

TEST(SocketReceive, WhatIsThereComesAndSaysWhetherTheSocketIsEmpty) {
  Session s;
  boost::system::error_code ec;
  s.client_sends("GET / HTTP/1.1\r\n\r\n");
  ::usleep(20000);  // arrived
  auto got = s.receive(4096, false, ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(got.bytes, 18u);
  EXPECT_TRUE(got.drained);
  EXPECT_EQ(s.take(), "GET / HTTP/1.1\r\n\r\n");
  // At most `most` bytes: the socket is not empty after it.
  s.client_sends("0123456789");
  ::usleep(20000);
  got = s.receive(4, false, ec);
  EXPECT_EQ(got.bytes, 4u);
  EXPECT_FALSE(got.drained);
  EXPECT_EQ(s.take(), "0123");
  got = s.receive(4096, false, ec);
  EXPECT_EQ(s.take(), "456789");
  EXPECT_TRUE(got.drained);
}

TEST(SocketReceive, AReadThatWaitsFirstGetsWhatArrivesLater) {
  for (const bool wait_first : {true, false}) {
    Session s;
    boost::system::error_code ec;
    asio::steady_timer later(s.io, 50ms);
    later.async_wait([&](auto) { s.client_sends("later"); });
    auto got = s.receive(4096, wait_first, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(got.bytes, 5u);
    EXPECT_EQ(s.take(), "later") << wait_first;
  }
}

TEST(SocketReceive, TheEndOfTheStreamIsEof) {
  Session s;
  boost::system::error_code ec;
  s.client_sends("last");
  ::shutdown(s.peer, SHUT_WR);
  ::usleep(20000);
  auto got = s.receive(4096, false, ec);
  EXPECT_EQ(s.take(), "last");
  EXPECT_FALSE(ec);
  got = s.receive(4096, true, ec);
  EXPECT_EQ(got.bytes, 0u);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST(SocketReceive, ACancelledWaitEndsWithOperationAborted) {
  Session s;
  boost::system::error_code ec;
  asio::steady_timer later(s.io, 50ms);
  later.async_wait([&](auto) { s.socket.cancel(); });
  auto got = s.receive(4096, true, ec);
  EXPECT_EQ(got.bytes, 0u);
  EXPECT_EQ(ec, asio::error::operation_aborted);
}

}  // namespace
}  // namespace switchboard::net
