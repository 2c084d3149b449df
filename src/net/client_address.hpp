// The address a request comes from: the peer's, unless the peer is a trusted proxy
// (--trusted-proxy); then X-Forwarded-For is read from the right, skipping trusted proxies, and
// the first address not trusted is the client (the leftmost when all are). An entry that is not
// an address stops the walk at the last address believed.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string_view>
#include <vector>

#include "net/ip_range.hpp"

namespace switchboard::net {

// `forwarded_for`: the X-Forwarded-For values joined with commas (empty when absent).
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        std::string_view forwarded_for,
                                        const std::vector<IpRange>& trusted_proxies);

}  // namespace switchboard::net
