// Feeds the data-plane REST API's request line to what reads it before any handler runs:
// service/rest_route's match_rest_route (the operation, hub, user, group and connection from the
// raw path), util/url's parse_target (the query), the name checks of protocol/names and the `ttl`
// rule (util/duration). The input is "METHOD raw-target", as in "POST /api/hubs/chat/:send?x=1".
// A matched route's hub path is a prefix of the path, and a route names only what its operation
// uses.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/beast/http/verb.hpp>

#include "fuzz_support.hpp"
#include "protocol/names.hpp"
#include "service/rest_route.hpp"
#include "util/duration.hpp"
#include "util/url.hpp"

namespace protocol = switchboard::protocol;
namespace service = switchboard::service;
namespace util = switchboard::util;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::bytes(data, size);
  auto space = input.find(' ');
  if (space == std::string_view::npos) return 0;
  auto method = boost::beast::http::string_to_verb(input.substr(0, space));
  std::string_view raw_target = input.substr(space + 1);
  std::string_view raw_path = raw_target.substr(0, raw_target.find('?'));

  auto match = service::match_rest_route(method, raw_path);
  if (match.route) {
    const auto& route = *match.route;
    FUZZ_CHECK(raw_path.starts_with(route.hub_path), "the hub path is a prefix of the path");
    (void)protocol::validate_hub_name(route.hub);
    (void)protocol::validate_user_id(route.user);
    (void)protocol::validate_group_name(route.group);
    (void)protocol::validate_connection_id(route.connection_id);
    FUZZ_CHECK(protocol::to_lower(route.hub).size() == route.hub.size(), "lower-casing keeps size");
  }
  auto target = util::parse_target(raw_target);
  if (auto application = target.get("application"))
    (void)protocol::validate_application_name(*application);
  if (auto ttl = target.get("ttl")) {
    auto seconds = util::parse_duration_seconds(*ttl);
    if (seconds)
      FUZZ_CHECK(*seconds >= 0 && *seconds <= util::kMaxDurationSeconds, "a ttl in range");
  }
  (void)target.get_all("excluded");
  return 0;
}
