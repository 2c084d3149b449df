// Long-polling transport: see long_polling_connection.hpp.
#include "service/long_polling_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard::service {

namespace http = net::http;

namespace {
// An inactive connection (no poll waiting) is dropped after this long, like ASP.NET's
// DisconnectTimeout.
constexpr auto kDisconnectTimeout = std::chrono::seconds(15);

net::Response poll_response(http::status status, std::string body = {}) {
  net::Response response{status, 11};
  response.set(http::field::server, "switchboard");
  response.set(http::field::cache_control, "no-cache, no-store");
  response.set(http::field::pragma, "no-cache");
  response.set(http::field::expires, "Thu, 01 Jan 1970 00:00:00 GMT");
  if (!body.empty()) response.set(http::field::content_type, "application/octet-stream");
  response.body() = std::move(body);
  return response;
}
}  // namespace

PollWaiter::PollWaiter(boost::asio::any_io_executor executor)
    : timer_(executor, std::chrono::steady_clock::time_point::max()) {}

void PollWaiter::deliver(net::Response response) {
  boost::asio::post(timer_.get_executor(),
                    [self = shared_from_this(), response = std::move(response)]() mutable {
                      self->response_ = std::move(response);
                      self->timer_.cancel();
                    });
}

boost::asio::awaitable<net::Response> PollWaiter::wait() {
  while (!response_) {
    boost::system::error_code ec;
    co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return std::move(*response_);
}

LongPollingConnection::LongPollingConnection(ServiceContext& context, Shard& shard, std::string id,
                                             std::string hub, std::string user,
                                             std::chrono::milliseconds poll_timeout)
    : HubConnection(context, shard, std::move(id), std::move(hub), std::move(user),
                    TransportKind::LongPolling),
      poll_timeout_(poll_timeout),
      last_poll_end_(Clock::now()) {}

void LongPollingConnection::answer(net::Response response) {
  if (!waiting_) return;
  auto waiter = std::move(waiting_);
  waiting_.reset();
  last_poll_end_ = Clock::now();
  waiter->deliver(std::move(response));
}

void LongPollingConnection::poll(std::shared_ptr<PollWaiter> waiter) {
  if (finished_) {
    waiter->deliver(poll_response(http::status::no_content));
    return;
  }
  // A newer poll replaces an older one, which ends with 204.
  if (waiting_) answer(poll_response(http::status::no_content));
  if (!activated_) {
    // The first poll only starts the connection: 200, empty, at once.
    activated_ = true;
    last_poll_end_ = Clock::now();
    waiter->deliver(poll_response(http::status::ok));
    return;
  }
  waiting_ = std::move(waiter);
  poll_started_ = Clock::now();
  flush();
}

void LongPollingConnection::write(const std::vector<MessagePtr>& batch) {
  std::string body;
  for (const auto& message : batch) body += message->frame(protocol());
  answer(poll_response(http::status::ok, std::move(body)));
  write_done({});
}

void LongPollingConnection::close_transport() {
  // The Close message went out in a poll answer; the next poll (or a waiting one) gets 204.
  answer(poll_response(http::status::no_content));
  finish();
}

void LongPollingConnection::abort_transport() {
  answer(poll_response(http::status::no_content));
}

void LongPollingConnection::stop_by_client() {
  closing_ = true;
  abort();
}

void LongPollingConnection::on_finished() {
  answer(poll_response(http::status::no_content));
}

void LongPollingConnection::tick(Clock::time_point now) {
  HubConnection::tick(now);
  if (finished_) return;
  if (waiting_ && now - poll_started_ >= poll_timeout_) {
    answer(poll_response(http::status::ok));  // poll timeout: empty 200, the client polls again
  } else if (!waiting_ && activated_ && now - last_poll_end_ >= kDisconnectTimeout) {
    set_end_reason("The client stopped polling.");
    abort();
  } else if (!activated_ && now - last_poll_end_ >= kDisconnectTimeout) {
    abort();
  }
}

}  // namespace switchboard::service
