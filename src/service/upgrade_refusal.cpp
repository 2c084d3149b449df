// Writing a refused upgrade's answer: see upgrade_refusal.hpp.
#include "service/upgrade_refusal.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>

namespace switchboard::service {

boost::asio::awaitable<void> refuse_upgrade(boost::asio::ip::tcp::socket socket,
                                            net::Response response, unsigned http_version) {
  response.version(http_version);
  response.keep_alive(false);
  response.prepare_payload();
  boost::beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ec;
  co_await net::http::async_write(stream, response,
                                  boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
}

}  // namespace switchboard::service
