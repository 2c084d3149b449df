// Client address behind trusted proxies: see client_address.hpp.
#include "net/client_address.hpp"

#include <algorithm>
#include <string>

namespace switchboard::net {

namespace ip = boost::asio::ip;

namespace {

bool trusted(const ip::address& address, const std::vector<IpRange>& proxies) {
  return std::any_of(proxies.begin(), proxies.end(),
                     [&](const IpRange& range) { return range.contains(address); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

ip::address client_address(const ip::address& peer, std::string_view forwarded_for,
                           const std::vector<IpRange>& trusted_proxies) {
  ip::address client = unmapped(peer);
  std::string_view rest = forwarded_for;
  while (trusted(client, trusted_proxies) && !trim(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    boost::system::error_code ec;
    const ip::address next = ip::make_address(std::string(entry), ec);
    if (ec) break;
    client = unmapped(next);
  }
  return client;
}

}  // namespace switchboard::net
