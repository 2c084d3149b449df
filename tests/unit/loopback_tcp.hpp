// For unit tests on real sockets: a connected loopback TCP pair, made through a listener on an
// ephemeral port of 127.0.0.1 (the accepted side and the connecting side), and an owned pair that
// a test writes on and reads back.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

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

// A connected pair that closes both ends: `writer` (the server's side) and `reader`.
struct LoopbackPair {
  int writer = -1;
  int reader = -1;
  LoopbackPair() { connect_loopback(writer, reader); }
  ~LoopbackPair() {
    if (writer >= 0) ::close(writer);
    if (reader >= 0) ::close(reader);
  }
  LoopbackPair(const LoopbackPair&) = delete;
  LoopbackPair& operator=(const LoopbackPair&) = delete;

  // Everything readable now (waits up to a second for the first byte).
  std::string read_available() const {
    std::string out;
    timeval wait{1, 0};
    ::setsockopt(reader, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char buffer[65536];
    ssize_t n = ::recv(reader, buffer, sizeof buffer, 0);
    while (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      n = ::recv(reader, buffer, sizeof buffer, MSG_DONTWAIT);
    }
    return out;
  }
  // Writes 'f' bytes until the kernel takes no more (errno tells why it stopped); how many it took.
  std::size_t fill() const {
    const std::string chunk(64 * 1024, 'f');
    std::size_t written = 0;
    for (ssize_t n; (n = ::send(writer, chunk.data(), chunk.size(), MSG_DONTWAIT)) > 0;)
      written += static_cast<std::size_t>(n);
    return written;
  }
};

}  // namespace switchboard::testing
