// The per-connection HTTP/1.1 session coroutine: see http_session.hpp.
#include "net/http_session.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>
#include <cerrno>
#include <optional>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "metrics/http_refusals.hpp"
#include "net/request_framing.hpp"
#include "net/request_target.hpp"
#include "net/response_bytes.hpp"
#include "net/socket_receive.hpp"
#include "net/unread_bytes.hpp"
#include "net/whole_request.hpp"
#include "util/text.hpp"

namespace switchboard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

asio::awaitable<void> drain(beast::tcp_stream& stream) {
  std::array<char, 64 * 1024> scratch;
  std::size_t total = 0;
  error_code ec;
  stream.expires_after(std::chrono::seconds(5));
  while (total < 64 * 1024 * 1024) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(scratch),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
}

// Answers a request that will not be served and ends the connection. Closing with unread input
// would reset the connection and lose the answer: stop sending, then read and discard what the
// client still sends (bounded in bytes and time).
asio::awaitable<void> refuse(beast::tcp_stream& stream, Response response) {
  stream.expires_after(std::chrono::seconds(10));
  response.keep_alive(false);
  response.prepare_payload();
  error_code ec;
  co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  co_await drain(stream);
}

// A time limit on the reads of one phase of a request (its headers, its body, the wait for the
// next request): when it passes, the socket's pending reads are cancelled, not the socket closed,
// so that the 408 can still be written. Each start() replaces the previous deadline.
//
// Lazy: the timer is not cancelled and re-armed for every request (a cancel completes the pending
// wait as an aborted operation, ~900 instructions of a REST send). start() and stop() only record
// the deadline; a timer that fires before it re-arms itself for it, one that fires while no
// deadline is set stops. Only a deadline earlier than the armed timer re-arms it at once.
class ReadDeadline {
 public:
  explicit ReadDeadline(tcp::socket& socket)
      : timer_(socket.get_executor()), state_(std::make_shared<State>()) {
    state_->socket = &socket;
  }
  ~ReadDeadline() {
    state_->socket = nullptr;
    timer_.cancel();
  }
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;

  void start(std::chrono::milliseconds limit) {
    State& state = *state_;
    state.deadline = Clock::now() + limit;
    state.active = true;
    state.expired = false;
    if (!state.armed || state.deadline < timer_.expiry()) arm();
  }
  void stop() { state_->active = false; }
  bool expired() const { return state_->expired; }

 private:
  using Clock = std::chrono::steady_clock;
  struct State {
    tcp::socket* socket = nullptr;
    Clock::time_point deadline;
    unsigned generation = 0;  // of the latest wait: an earlier one's handler does nothing
    bool armed = false;       // a wait is pending
    bool active = false;      // a deadline is set
    bool expired = false;
  };

  void arm() {
    State& state = *state_;
    state.armed = true;
    timer_.expires_at(state.deadline);  // (completes a pending wait as aborted)
    timer_.async_wait([this, state = state_, generation = ++state_->generation](error_code ec) {
      if (ec || state->generation != generation || !state->socket) return;
      state->armed = false;
      if (!state->active) return;
      if (Clock::now() < state->deadline) {
        arm();  // the deadline moved on since this wait began
        return;
      }
      state->expired = true;
      state->active = false;
      state->socket->cancel(ec);
    });
  }

  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

Response request_timeout(std::string_view what, std::chrono::milliseconds limit) {
  return make_error(
      http::status::request_timeout, "RequestTimeout",
      fmt::format("The request's {} did not arrive within {:g} s.", what, limit.count() / 1000.0));
}

// The client went away, a timeout fired, or the connection was shed: nothing to answer.
bool quiet_end(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted;
}

// The body often arrives with the headers: parses what is buffered already, so that no read (and
// no timer) is started for it. Leaves `ec` set on a parse error (a body over the limit included).
void parse_buffered_body(http::request_parser<http::string_body>& parser,
                         beast::flat_buffer& buffer, error_code& ec) {
  while (!parser.is_done() && buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
  }
}

// Sends what it can of an answer at once, with non-blocking send()s: the number of bytes the
// socket took (all of them, nearly always); `ec` set when the connection failed.
std::size_t send_at_once(int fd, const std::string& bytes, error_code& ec) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n =
        ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
      ec = error_code(errno, boost::system::system_category());
    break;
  }
  return sent;
}

// The headers usually arrive whole in one read: parses them from the buffer without starting a
// read operation (whose completion would be posted). False when more bytes are needed; `ec` is
// set on a parse error.
bool parse_buffered_header(http::request_parser<http::string_body>& parser,
                           beast::flat_buffer& buffer, error_code& ec) {
  if (buffer.size() == 0) return false;
  const std::size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  if (ec == http::error::need_more) {
    ec = {};
    return false;
  }
  return !ec && parser.is_header_done();
}

// How Beast's path for one request ended.
enum class ParserRead {
  Request,  // a whole request, in the parser
  Ended,    // the client went away or timed out idle, or a malformed request was answered
  Refused,  // answered with an error and closed (refuse()): the session is over
};

// Beast's path for a request the fast path declined (whole_request.hpp): reads its headers with
// the header timeout and, once its framing and target are checked, its body with the body
// timeout, answering 400, 408, 413, 431 or 501 where they fail.
asio::awaitable<ParserRead> read_with_parser(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                             http::request_parser<http::string_body>& parser,
                                             ReadDeadline& deadline, bool header_deadline_set,
                                             const HttpServerOptions& options,
                                             PendingConnections::Ticket& ticket) {
  error_code ec;
  // The headers' deadline is for all of them, however they are dripped in: a new connection's
  // counts from the connection (`header_deadline_set`: started by the session before its first
  // read), a kept-alive one's from the first byte of the request. Headers already whole in the
  // buffer need no deadline.
  if (!parse_buffered_header(parser, buffer, ec) && !ec) {
    if (!header_deadline_set) deadline.start(options.header_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec && deadline.expired() && (parser.got_some() || buffer.size() > 0)) {
    if (options.refusals) options.refusals->header_timeout.add();
    co_await refuse(stream, request_timeout("headers", options.header_timeout));
    co_return ParserRead::Refused;
  }
  if (!ec) {
    ticket.release();
    if (auto error = check_request_framing(parser.get())) {
      const char* code =
          error->status == http::status::not_implemented ? "NotImplemented" : "BadRequest";
      auto response = make_error(error->status, code, error->message);
      co_await refuse(stream, std::move(response));
      co_return ParserRead::Refused;
    }
    if (auto error = normalize_request_target(parser.get())) {
      auto response = make_error(http::status::bad_request, "BadRequest", *error);
      co_await refuse(stream, std::move(response));
      co_return ParserRead::Refused;
    }
    parse_buffered_body(parser, buffer, ec);
    if (!ec && !parser.is_done()) {
      // The whole body within the body timeout, however slowly it comes.
      deadline.start(options.body_timeout);
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec && deadline.expired()) {
        if (options.refusals) options.refusals->body_timeout.add();
        co_await refuse(stream, request_timeout("body", options.body_timeout));
        co_return ParserRead::Refused;
      }
    }
  }
  deadline.stop();
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    if (options.refusals)
      (ec == http::error::body_limit ? options.refusals->request_body_size
                                     : options.refusals->header_size)
          .add();
    // (Built before the co_await: g++ 12 mishandles a conditional-expression temporary in a
    // co_await's arguments, destroying it twice.)
    auto response =
        ec == http::error::body_limit
            ? make_error(http::status::payload_too_large, "PayloadTooLarge",
                         "The request body exceeds the limit of " +
                             std::to_string(options.max_body_bytes) + " bytes.")
            : make_error(http::status::request_header_fields_too_large, "HeadersTooLarge",
                         "The request headers exceed the limit of " +
                             std::to_string(options.max_header_bytes) + " bytes.");
    co_await refuse(stream, std::move(response));
    co_return ParserRead::Refused;
  }
  if (quiet_end(ec)) co_return ParserRead::Ended;
  if (ec) {
    auto response = make_error(http::status::bad_request, "BadRequest",
                               "Malformed HTTP request: " + ec.message());
    response.keep_alive(false);
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    co_return ParserRead::Ended;
  }
  co_return ParserRead::Request;
}

// The fast path's request (whole_request.hpp): one per thread, not one in every session's frame
// (~2 KB), since it is filled, then answered or converted, with no suspension in between. (Taken
// by a call each time: a coroutine must not keep a thread-local's address across a suspension.)
[[gnu::noinline]] RequestView& this_threads_request_view() {
  thread_local RequestView view;
  return view;
}

// An HTTP/1.1 request without a Connection field, or with only `Connection: keep-alive` (Node's
// agents send it): kept alive, and answered with no Connection field, as answer_now() assumes.
// (Every Connection field is looked at: a second one is left to Beast with the request.)
bool plainly_kept_alive(const RequestView& request) {
  std::size_t connections = 0;
  for (std::size_t i = 0; i < request.field_count; ++i) {
    const auto& field = request.fields[i];
    if (field.name != http::field::connection) continue;
    if (++connections > 1 || !util::iequals(field.value, "keep-alive")) return false;
  }
  return true;
}

// Whether the connection stays open after answering `request`. Every Connection field counts: RFC
// 9110 reads several as one list ("keep-alive" then "close" is "keep-alive, close": closed), where
// Beast's keep_alive() reads the first field only.
bool keeps_alive(const Request& request) {
  bool close = false;
  bool keep_alive = false;
  auto [first, last] = request.equal_range(http::field::connection);
  for (auto it = first; it != last; ++it) {
    for (const auto& token : http::token_list{it->value()}) {
      if (util::iequals(token, "close")) close = true;
      if (util::iequals(token, "keep-alive")) keep_alive = true;
    }
  }
  if (close) return false;
  return request.version() >= 11 || keep_alive;
}

// The handler's answer to `request` (a 500 when it throws), finished as the request asks (version,
// keep-alive, Content-Length; a HEAD answer without its body) and written into `bytes`. Whether
// the connection stays open after it.
asio::awaitable<bool> answer_request(HttpHandler& handler, Request& request,
                                     const asio::ip::address& peer, std::string& bytes) {
  Response response;
  try {
    response = co_await handler.handle(request, peer);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", std::string(request.method_string()), std::string(request.target()),
                  e.what());
    response = make_error(http::status::internal_server_error, "InternalServerError",
                          "Internal error while handling the request.");
  }
  response.version(request.version());
  response.keep_alive(keeps_alive(request));
  response.prepare_payload();
  // A HEAD answer keeps the headers (Content-Length included) of the GET form, no body.
  if (request.method() == http::verb::head) response.body().clear();
  bytes.clear();
  append_response_bytes(response, bytes);
  co_return response.keep_alive();
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket socket, asio::ip::address peer, exec::Shard& shard,
                                  HttpHandler& handler, HttpServerOptions options,
                                  std::shared_ptr<PendingConnections> pending) {
  error_code ec;
  beast::tcp_stream stream(std::move(socket));
  // Declared after the stream, so released (on this thread) before the stream goes.
  // Shed only while it has sent nothing: one whose request waits unread in the kernel is a real
  // client this busy shard has not got to yet (a connection storm), not an idle one.
  auto ticket = pending->admit(
      shard.io(),
      [&stream, refusals = options.refusals] {
        if (unread_bytes(stream.socket().native_handle()) != 0) return;
        if (refusals) refusals->pending_connections.add();
        stream.close();
      },
      stream.socket().native_handle());
  ReadDeadline deadline(stream.socket());
  beast::flat_buffer buffer;
  std::string answer_bytes;
  std::optional<http::request_parser<http::string_body>> parser;  // Beast's, when needed
  const WholeRequestLimits limits{options.max_header_bytes, options.max_body_bytes};
  // The last read left the socket empty and the session has not waited for anything since (its
  // answer went out at once): the next read waits for readability first, without a recv() that
  // would only find the socket empty (a client sends its next request after our answer).
  bool drained_since = false;
  for (bool first = true;; first = false) {
    if (buffer.size() == 0) {
      // The first request's headers have the header timeout, counted from the connection (the
      // deadline runs on in read_with_parser when they do not come whole). A kept-alive
      // connection may idle up to the keep-alive timeout before its next request begins; then
      // (below) its headers have the header timeout like the first request's.
      deadline.start(first ? options.header_timeout : options.keep_alive_timeout);
      const Received got = co_await receive_some(stream.socket(), buffer, 4096, drained_since, ec);
      if (ec) break;  // idle too long, or the client closed: nothing to answer
      drained_since = got.drained;
    }
    // A whole, plainly written request already in the buffer needs no incremental parser, no read
    // and no deadline (whole_request.hpp); anything else goes through Beast's parser. The handler
    // may answer it at once from its views (answer_now); otherwise it becomes a Request.
    const auto* data = static_cast<const char*>(buffer.data().data());
    RequestView& view = this_threads_request_view();
    const std::size_t used = parse_whole_request({data, buffer.size()}, limits, view);
    bool answered = false;
    if (used != 0) {
      deadline.stop();
      ticket.release();
      if (view.version == 11 && view.method != http::verb::head && plainly_kept_alive(view)) {
        answer_bytes.clear();
        answered = handler.answer_now(view, peer, answer_bytes);
      }
    }
    bool keep_alive = true;
    if (answered) {
      buffer.consume(used);
    } else {
      Request request;
      if (used != 0) {
        request = to_request(view);
        buffer.consume(used);
      } else {
        drained_since = false;  // (its reads, and the handler below, give the reactor turns)
        parser.emplace();
        parser->body_limit(options.max_body_bytes);
        parser->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        const ParserRead read =
            co_await read_with_parser(stream, buffer, *parser, deadline, first, options, ticket);
        if (read == ParserRead::Refused) co_return;
        if (read == ParserRead::Ended) break;
        request = parser->release();
      }
      if (beast::websocket::is_upgrade(request) || handler.wants_socket(request)) {
        stream.expires_never();
        handler.upgrade(stream.release_socket(), std::move(request), shard, peer);
        co_return;
      }
      stream.expires_never();
      drained_since = false;
      keep_alive = co_await answer_request(handler, request, peer, answer_bytes);
    }
    // Sent in one piece (built into the session's buffer, reused): one non-blocking send(); only
    // what the socket does not take at once waits for writability. (Beast's serializer and
    // composed write cost more than the rest of a REST send together.)
    const std::size_t sent = send_at_once(stream.socket().native_handle(), answer_bytes, ec);
    if (!ec && sent < answer_bytes.size()) {
      drained_since = false;
      co_await asio::async_write(
          stream, asio::buffer(answer_bytes.data() + sent, answer_bytes.size() - sent),
          asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace switchboard::net
