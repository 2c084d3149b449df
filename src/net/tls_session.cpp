// The TLS handshake and the relay onto a socket pair: see tls_session.hpp.
#include "net/tls_session.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "net/http_session.hpp"
#include "net/tls_certificate.hpp"

namespace switchboard::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// After the session ends while the client is still sending: how long its input is read and
// discarded, so that closing does not reset the connection under the last answer.
constexpr auto kLingerTime = std::chrono::seconds(3);
constexpr std::size_t kRelayChunk = 16 * 1024;
// A client that takes longer than this to accept one chunk (at most 16 KB) is taken for gone: the
// relay would otherwise never notice that the session closed its end behind the stuck write.
constexpr auto kWriteStallTimeout = std::chrono::seconds(60);

// One relayed connection; shared by its two directions.
struct Relay {
  std::shared_ptr<ssl::context> context;  // outlives `tls`
  ssl::stream<tcp::socket> tls;
  tcp::socket inner;  // our end of the socket pair
  asio::steady_timer timer;
  asio::steady_timer inbound_done;  // cancelled when the client-to-session direction ends
  bool inbound_finished = false;
  bool stopping = false;  // the relay is ending: the inbound direction stops at its next step
  bool timed_out = false;

  Relay(tcp::socket socket, std::shared_ptr<ssl::context> ctx, asio::io_context& io)
      : context(std::move(ctx)),
        tls(std::move(socket), *context),
        inner(io),
        timer(io),
        inbound_done(io, asio::steady_timer::time_point::max()) {}

  void close_all() {
    error_code ignored;
    tls.next_layer().close(ignored);
    inner.close(ignored);
  }
};

// Client to session: decrypted bytes into the socket pair, until the client stops.
asio::awaitable<void> relay_inbound(std::shared_ptr<Relay> relay) {
  std::array<char, kRelayChunk> chunk;
  error_code ec;
  for (;;) {
    const std::size_t n = co_await relay->tls.async_read_some(
        asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || relay->stopping) break;
    co_await asio::async_write(relay->inner, asio::buffer(chunk.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec || relay->stopping) break;
  }
  // The session reads the end of its input (an HTTP session or a transport then ends).
  relay->inner.shutdown(tcp::socket::shutdown_send, ec);
  relay->inbound_finished = true;
  relay->inbound_done.cancel();
}

// Reads and discards what the client still sends, until it closes or the linger time is up.
asio::awaitable<void> linger(std::shared_ptr<Relay> relay) {
  auto& socket = relay->tls.next_layer();
  error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  relay->timer.expires_after(kLingerTime);
  relay->timer.async_wait([relay](error_code wait_ec) {
    if (!wait_ec) {
      error_code ignored;
      relay->tls.next_layer().cancel(ignored);
    }
  });
  std::array<char, 4096> scratch;
  std::size_t total = 0;
  while (total < 16 * 1024 * 1024) {
    const std::size_t n = co_await socket.async_read_some(
        asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
  relay->timer.cancel();
}

// Session to client: what the session writes, encrypted, until the session closes its end.
asio::awaitable<void> relay_outbound(std::shared_ptr<Relay> relay) {
  std::array<char, kRelayChunk> chunk;
  error_code ec;
  bool client_gone = false;
  for (;;) {
    const std::size_t n = co_await relay->inner.async_read_some(
        asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    relay->timer.expires_after(kWriteStallTimeout);
    relay->timer.async_wait([relay](error_code wait_ec) {
      if (wait_ec) return;
      error_code ignored;
      relay->tls.next_layer().close(ignored);
    });
    co_await asio::async_write(relay->tls, asio::buffer(chunk.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    relay->timer.cancel();
    if (ec) {
      client_gone = true;
      break;
    }
  }
  // The session is done (or the client cannot be written to): stop relaying the client's input.
  relay->stopping = true;
  if (!relay->inbound_finished) {
    error_code ignored;
    relay->tls.next_layer().cancel(ignored);
    relay->inner.cancel(ignored);
    co_await relay->inbound_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!client_gone) {
    // close_notify, without waiting for the client's: it may still be sending.
    SSL_set_shutdown(relay->tls.native_handle(), SSL_RECEIVED_SHUTDOWN);
    relay->timer.expires_after(kLingerTime);
    relay->timer.async_wait([relay](error_code wait_ec) {
      if (!wait_ec) {
        error_code ignored;
        relay->tls.next_layer().cancel(ignored);
      }
    });
    co_await relay->tls.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    relay->timer.cancel();
    if (!ec) co_await linger(relay);
  }
  relay->close_all();
}

}  // namespace

asio::awaitable<void> run_tls_session(tcp::socket socket, asio::ip::address peer,
                                      exec::Shard& shard, HttpHandler& handler,
                                      HttpServerOptions options,
                                      std::shared_ptr<PendingConnections> pending) {
  auto relay = std::make_shared<Relay>(std::move(socket), options.tls->context(), shard.io());
  error_code ec;
  {
    // The handshake counts as a connection without a request: same cap, same timeout.
    auto ticket = pending->admit(
        shard.io(), [relay] { relay->close_all(); }, relay->tls.next_layer().native_handle());
    relay->timer.expires_after(options.header_timeout);
    relay->timer.async_wait([relay](error_code wait_ec) {
      if (wait_ec) return;
      relay->timed_out = true;
      relay->close_all();
    });
    co_await relay->tls.async_handshake(ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
    relay->timer.cancel();
  }
  if (ec) {
    spdlog::debug("TLS handshake {}: {}", relay->timed_out ? "timed out" : "failed", ec.message());
    relay->close_all();
    co_return;
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    spdlog::warn("TLS connection dropped: no socket pair for it: {}", std::strerror(errno));
    relay->close_all();
    co_return;
  }
  tcp::socket session_end(shard.io());
  relay->inner.assign(tcp::v4(), pair[0], ec);
  if (!ec) session_end.assign(tcp::v4(), pair[1], ec);
  if (ec) {
    if (!relay->inner.is_open()) ::close(pair[0]);
    ::close(pair[1]);
    relay->close_all();
    co_return;
  }
  asio::co_spawn(
      shard.io(),
      run_session(std::move(session_end), peer, shard, handler, options, std::move(pending)),
      asio::detached);
  asio::co_spawn(shard.io(), relay_inbound(relay), asio::detached);
  co_await relay_outbound(relay);
}

}  // namespace switchboard::net
