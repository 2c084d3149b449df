// A session's read of what a socket has: recv() (Asio's reads use recvmsg(), which copies a
// message header and a segment list in: ≈ 0.6 µs more per call on loopback here,
// docs/benchmarks.md "The REST send's system calls"), and a wait for readability only when the
// socket is empty (Asio's wait costs an epoll_ctl() that re-arms the socket: still less).
#pragma once

#include <utility>  // (before awaitable.hpp, which uses std::exchange without it)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstddef>

namespace switchboard::net {

// How a receive_some() went: the bytes appended (0 on an error or the end) and whether the socket
// was left empty (fewer bytes came than there was room for).
struct Received {
  std::size_t bytes = 0;
  bool drained = false;
};

// Appends up to `most` bytes that `socket` has to `buffer`, waiting (on the socket's executor)
// until some come. With `wait_first`, waits for readability before the first recv(): right only
// when the socket was drained and the reactor has not run since (an edge-triggered readiness seen
// while nobody waited is not seen again); otherwise the recv() comes first and the wait only after
// it found nothing. `ec`: the error, asio::error::eof at the end, operation_aborted when the
// socket's operations were cancelled.
boost::asio::awaitable<Received> receive_some(boost::asio::ip::tcp::socket& socket,
                                              boost::beast::flat_buffer& buffer, std::size_t most,
                                              bool wait_first, boost::system::error_code& ec);

}  // namespace switchboard::net
