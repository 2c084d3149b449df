// A session's read with recv() and a readability wait: see socket_receive.hpp.
#include "net/socket_receive.hpp"

#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

namespace switchboard::net {

boost::asio::awaitable<Received> receive_some(boost::asio::ip::tcp::socket& socket,
                                              boost::beast::flat_buffer& buffer, std::size_t most,
                                              bool wait_first, boost::system::error_code& ec) {
  namespace asio = boost::asio;
  ec = {};
  bool wait = wait_first;
  for (;;) {
    if (wait) {
      co_await socket.async_wait(asio::ip::tcp::socket::wait_read,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Received{};
    }
    wait = true;  // unless interrupted: the next try comes when the socket is readable
    auto space = buffer.prepare(most);
    const ssize_t n = ::recv(socket.native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      buffer.commit(static_cast<std::size_t>(n));
      co_return Received{static_cast<std::size_t>(n), static_cast<std::size_t>(n) < space.size()};
    }
    if (n == 0) {
      ec = asio::error::eof;
      co_return Received{};
    }
    if (errno == EINTR) {
      wait = false;
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = boost::system::error_code(errno, boost::system::system_category());
      co_return Received{};
    }
  }
}

}  // namespace switchboard::net
