// The /metrics listener of --metrics-port: see metrics_server.hpp.
#include "metrics/metrics_server.hpp"

#include "net/http_server.hpp"

namespace switchboard::metrics {

struct MetricsServer::Impl final : net::HttpHandler {
  std::vector<exec::Shard*> shards;
  std::shared_ptr<ScrapeEndpoint> endpoint;
  std::unique_ptr<net::HttpServer> server;

  boost::asio::awaitable<net::Response> handle(net::Request& request,
                                               const boost::asio::ip::address&) override {
    if (ScrapeEndpoint::matches(request.target())) co_return endpoint->answer(request);
    co_return net::make_error(net::http::status::not_found, "NotFound",
                              "This port serves /metrics only.");
  }
  void upgrade(boost::asio::ip::tcp::socket socket, net::Request, exec::Shard&,
               const boost::asio::ip::address&) override {
    boost::system::error_code ec;
    socket.close(ec);  // nothing to upgrade to here
  }
};

MetricsServer::MetricsServer(std::vector<exec::Shard*> shards,
                             std::shared_ptr<ScrapeEndpoint> endpoint,
                             const net::HttpServerOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->shards = shards;
  impl_->endpoint = std::move(endpoint);
  impl_->server = std::make_unique<net::HttpServer>(std::move(shards), *impl_, options);
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::listen(const std::string& address, unsigned short port) {
  impl_->server->listen(address, port);
}

unsigned short MetricsServer::port() const {
  return impl_->server->port();
}

void MetricsServer::stop() {
  impl_->shards.front()->post([impl = impl_.get()] { impl->server->stop(); });
}

}  // namespace switchboard::metrics
