// The live dashboard's HTTP side (docs/dashboard.md): the page at /dashboard (a dashboard token
// required: `?access_token=` or `Authorization: Bearer`), its script, style and the SignalR
// browser client (public, they hold nothing secret), and the page's hub connection at
// /dashboard/hub (negotiate, then a WebSocket), authenticated by the same token. A dashboard
// token is a JWT signed with an access key whose audience is http://<host>/dashboard.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string_view>

#include "net/http_types.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class DashboardEndpoint {
 public:
  // The hub name the dashboards' connections carry: not a valid hub name, so no client token,
  // REST call or upstream can name it.
  static constexpr std::string_view kHub = "_dashboard";

  explicit DashboardEndpoint(ServiceContext& context) : context_(context) {}

  // Whether the path is the dashboard's (/dashboard and below).
  static bool handles(std::string_view path);
  // Plain HTTP: the page, its files, negotiate.
  net::Response handle(const net::Request& request);
  // Whether the request is the hub connection's WebSocket upgrade.
  static bool is_hub_path(std::string_view path);
  boost::asio::awaitable<void> upgrade(boost::asio::ip::tcp::socket socket, net::Request request,
                                       Shard& shard);

 private:
  net::Response negotiate(const net::Request& request);
  ServiceContext& context_;
};

}  // namespace switchboard::service
