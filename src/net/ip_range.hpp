// An address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address), as given to
// --trusted-proxy: parsing with a precise error, and matching an address (an IPv4-mapped IPv6
// address matches the IPv4 range it maps).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::net {

struct IpRange {
  boost::asio::ip::address network;  // with the host bits cleared
  unsigned prefix = 0;               // 0..32 for IPv4, 0..128 for IPv6

  bool contains(const boost::asio::ip::address& address) const;
};

// `ADDRESS` or `ADDRESS/PREFIX`; on failure sets `error` (naming the text) and returns nullopt.
std::optional<IpRange> parse_ip_range(std::string_view text, std::string* error);

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address; others unchanged.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);

}  // namespace switchboard::net
