// For unit tests on real sockets: a connected loopback TCP pair, made through a listener on an
// ephemeral port of 127.0.0.1 (the accepted side and the connecting side).
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace switchboard::testing {

// Sets `accepted` and `connected` to the two ends of a new loopback TCP connection.
inline void connect_loopback(int& accepted, int& connected) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  EXPECT_EQ(::listen(listener, 1), 0);
  connected = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(connected, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  accepted = ::accept(listener, nullptr, nullptr);
  EXPECT_GE(accepted, 0);
  ::close(listener);
}

}  // namespace switchboard::testing
