// Unit tests for address ranges (--trusted-proxy) and the client address behind proxies: CIDR
// parsing with precise errors, matching IPv4, IPv6 and IPv4-mapped addresses, and reading
// X-Forwarded-For only as far as trusted proxies vouch for it.
#include <gtest/gtest.h>

#include "net/client_address.hpp"
#include "net/ip_range.hpp"

namespace {

namespace net = switchboard::net;
using boost::asio::ip::make_address;

net::IpRange range(const char* text) {
  std::string error;
  auto parsed = net::parse_ip_range(text, &error);
  EXPECT_TRUE(parsed) << text << ": " << error;
  return parsed.value_or(net::IpRange{});
}

std::string parse_error(const char* text) {
  std::string error;
  EXPECT_FALSE(net::parse_ip_range(text, &error)) << text;
  return error;
}

TEST(IpRange, MatchesIPv4Prefixes) {
  auto ten = range("10.0.0.0/8");
  EXPECT_TRUE(ten.contains(make_address("10.255.1.2")));
  EXPECT_FALSE(ten.contains(make_address("11.0.0.1")));
  auto odd = range("192.168.1.130/25");  // host bits are cleared: 192.168.1.128/25
  EXPECT_EQ(odd.network.to_string(), "192.168.1.128");
  EXPECT_TRUE(odd.contains(make_address("192.168.1.200")));
  EXPECT_FALSE(odd.contains(make_address("192.168.1.127")));
  EXPECT_TRUE(range("0.0.0.0/0").contains(make_address("8.8.8.8")));
  EXPECT_FALSE(range("0.0.0.0/0").contains(make_address("::1")));
}

TEST(IpRange, ASingleAddressIsAFullPrefix) {
  auto one = range("127.0.0.1");
  EXPECT_EQ(one.prefix, 32u);
  EXPECT_TRUE(one.contains(make_address("127.0.0.1")));
  EXPECT_FALSE(one.contains(make_address("127.0.0.2")));
  EXPECT_EQ(range("::1").prefix, 128u);
}

TEST(IpRange, MatchesIPv6AndMappedIPv4) {
  auto ula = range("fd00::/8");
  EXPECT_TRUE(ula.contains(make_address("fd12:3456::1")));
  EXPECT_FALSE(ula.contains(make_address("fe80::1")));
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  EXPECT_TRUE(range("10.0.0.0/8").contains(make_address("::ffff:10.1.2.3")));
  EXPECT_TRUE(range("::ffff:10.0.0.0/104").contains(make_address("10.9.9.9")));
  EXPECT_FALSE(range("::ffff:10.0.0.0/104").contains(make_address("11.0.0.1")));
}

TEST(IpRange, RefusesWhatIsNotARangeAndSaysWhy) {
  EXPECT_EQ(parse_error("10.0.0.0/33"),
            "'10.0.0.0/33' is not an address range (CIDR): the prefix length must be a number "
            "from 0 to 32");
  EXPECT_EQ(parse_error("fd00::/129"),
            "'fd00::/129' is not an address range (CIDR): the prefix length must be a number "
            "from 0 to 128");
  EXPECT_EQ(parse_error("10.0.0.0/"),
            "'10.0.0.0/' is not an address range (CIDR): the prefix length must be a number "
            "from 0 to 32");
  EXPECT_EQ(parse_error("10.0.0.0/8x"),
            "'10.0.0.0/8x' is not an address range (CIDR): the prefix length must be a number "
            "from 0 to 32");
  EXPECT_EQ(parse_error("proxy.local/8"),
            "'proxy.local/8' is not an address range (CIDR): bad address");
  EXPECT_EQ(parse_error(""), "'' is not an address range (CIDR): bad address");
}

TEST(ClientAddress, IsThePeerWithoutTrustedProxies) {
  EXPECT_EQ(net::client_address(make_address("203.0.113.9"), "1.2.3.4", {}).to_string(),
            "203.0.113.9");
  EXPECT_EQ(net::client_address(make_address("::ffff:203.0.113.9"), "", {}).to_string(),
            "203.0.113.9");
}

TEST(ClientAddress, IgnoresForwardedForFromAnUntrustedPeer) {
  std::vector<net::IpRange> proxies{range("10.0.0.0/8")};
  EXPECT_EQ(net::client_address(make_address("203.0.113.9"), "1.2.3.4", proxies).to_string(),
            "203.0.113.9");
}

TEST(ClientAddress, WalksForwardedForFromTheRightPastTrustedProxies) {
  std::vector<net::IpRange> proxies{range("10.0.0.0/8"), range("fd00::/8")};
  // The client could have written anything left of what the first proxy appended.
  EXPECT_EQ(
      net::client_address(make_address("10.0.0.1"), "6.6.6.6, 198.51.100.7, 10.0.0.2", proxies)
          .to_string(),
      "198.51.100.7");
  EXPECT_EQ(net::client_address(make_address("fd00::1"), " 2001:db8::5 ", proxies).to_string(),
            "2001:db8::5");
}

TEST(ClientAddress, StopsAtAnEntryThatIsNotAnAddress) {
  std::vector<net::IpRange> proxies{range("10.0.0.0/8")};
  EXPECT_EQ(
      net::client_address(make_address("10.0.0.1"), "198.51.100.7, unknown, 10.0.0.3", proxies)
          .to_string(),
      "10.0.0.3");
  EXPECT_EQ(net::client_address(make_address("10.0.0.1"), "", proxies).to_string(), "10.0.0.1");
  EXPECT_EQ(
      net::client_address(make_address("10.0.0.1"), "10.0.0.4, 10.0.0.5", proxies).to_string(),
      "10.0.0.4");
}

}  // namespace
