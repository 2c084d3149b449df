// Keep-alive HTTP client: retry once on a fresh connection when the kept one was closed.
#include "http_session.hpp"

namespace lc {

HttpSession::HttpSession(asio::io_context& io, std::string host, unsigned short port)
    : io_(io), host_(std::move(host)), port_(port), socket_(io) {}

awaitable<void> HttpSession::ensure_connected() {
  if (socket_.is_open()) co_return;
  buffer_.clear();
  tcp::endpoint endpoint(asio::ip::make_address(host_), port_);
  co_await socket_.async_connect(endpoint, use_awaitable);
  socket_.set_option(tcp::no_delay(true));
}

awaitable<http::response<http::string_body>> HttpSession::request(http::verb method,
                                                                  std::string target,
                                                                  std::string body,
                                                                  const std::string& bearer) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.keep_alive(true);
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  std::string last_error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      co_await ensure_connected();
      co_await http::async_write(socket_, req, use_awaitable);
      http::response<http::string_body> res;
      co_await http::async_read(socket_, buffer_, res, use_awaitable);
      if (!res.keep_alive()) {
        beast::error_code ec;
        socket_.close(ec);
      }
      co_return res;
    } catch (const std::exception& e) {
      last_error = e.what();
      beast::error_code ec;
      socket_.close(ec);
    }
  }
  http::response<http::string_body> failed;
  failed.result(0u);
  failed.body() = last_error;
  co_return failed;
}

}  // namespace lc
