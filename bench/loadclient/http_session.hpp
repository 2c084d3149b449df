// One keep-alive HTTP/1.1 connection for the control requests (negotiate, group joins, sends);
// reconnects when the server has closed it.
#pragma once
#include <string>

#include "net.hpp"

namespace lc {

class HttpSession {
 public:
  HttpSession(asio::io_context& io, std::string host, unsigned short port);
  // Sends one request; returns the response (status 0 with the error text in the body on failure).
  awaitable<http::response<http::string_body>> request(http::verb method, std::string target,
                                                       std::string body, const std::string& bearer);

 private:
  awaitable<void> ensure_connected();
  asio::io_context& io_;
  std::string host_;
  unsigned short port_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

}  // namespace lc
