// The real-time service: the hub router, the client endpoint and the REST API behind one HTTP
// server, running on the threads of a ShardPool.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "exec/shard_pool.hpp"
#include "metrics/scrape_endpoint.hpp"
#include "net/http_server.hpp"
#include "service/client_endpoint.hpp"
#include "service/dashboard_endpoint.hpp"
#include "service/options.hpp"
#include "service/rest_api.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class Service final : public net::HttpHandler {
 public:
  Service(ServiceOptions options, exec::ShardPool& pool);
  ~Service() override;

  // Binds the port (throws with a clear message on failure) and starts the timers; the pool's
  // threads run it.
  void start();
  // Stops accepting and tells every client it may reconnect. Safe from any thread.
  void stop();

  unsigned short port() const { return server_->port(); }
  ServiceContext& context() { return context_; }
  // Writes the service's metrics (not the process's) in the text format: for a /metrics served
  // elsewhere (--metrics-port, or the functions host's port under `start`).
  void write_metrics(metrics::Exposition& out) const { context_.metrics->write(out); }

  boost::asio::awaitable<net::Response> handle(net::Request& request,
                                               const boost::asio::ip::address& peer) override;
  // The REST API's sends on a single node (RestApi::answer_now), with add_cors()'s fields.
  bool answer_now(const net::RequestView& request, const boost::asio::ip::address& peer,
                  std::string& answer) override;
  bool wants_socket(const net::Request& request) const override;
  void upgrade(boost::asio::ip::tcp::socket socket, net::Request request, Shard& shard,
               const boost::asio::ip::address& peer) override;

 private:
  // The client's address: the peer's, or what X-Forwarded-For says behind a trusted proxy.
  boost::asio::ip::address client_of(const net::Request& request,
                                     const boost::asio::ip::address& peer) const;
  ServiceContext context_;
  ClientEndpoint client_endpoint_;
  DashboardEndpoint dashboard_endpoint_;
  RestApi rest_api_;
  metrics::ScrapeEndpoint scrape_;  // GET /metrics, when options.serve_metrics
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<bool> stopping_{false};
};

}  // namespace switchboard::service
