// Unit tests for net::split_http_url, the HTTP client's use of util::parse_url: endpoint (host,
// port, TLS) and origin-form target from a URL, and precise errors for URLs it cannot call.
#include <gtest/gtest.h>

#include "net/http_client.hpp"

namespace switchboard::net {
namespace {

std::string error_of(std::string_view url) {
  try {
    split_http_url(url);
  } catch (const HttpClientError& e) {
    return e.what();
  }
  return "";
}

TEST(SplitHttpUrl, EndpointAndTarget) {
  auto [plain, target] = split_http_url("http://Example.test:8080/api/hubs/x?y=1#frag");
  EXPECT_EQ(plain.host, "example.test");
  EXPECT_EQ(plain.port, 8080);
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.authority(), "example.test:8080");
  EXPECT_EQ(target, "/api/hubs/x?y=1");  // the fragment is not sent

  auto [tls, root] = split_http_url("https://h");
  EXPECT_EQ(tls.port, 443);
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(root, "/");
  EXPECT_EQ(split_http_url("http://h?x").second, "/?x");

  // Plain http to localhost goes to IPv4 loopback; TLS keeps the name it verifies.
  EXPECT_EQ(split_http_url("http://localhost:7071/").first.host, "127.0.0.1");
  EXPECT_EQ(split_http_url("https://localhost:7071/").first.host, "localhost");
}

TEST(SplitHttpUrl, Ipv6Literals) {
  // Used to keep "[::1]:7071" whole as the host, with port 80.
  auto [endpoint, target] = split_http_url("http://[::1]:7071/runtime/webhooks/signalr?code=k");
  EXPECT_EQ(endpoint.host, "::1");
  EXPECT_EQ(endpoint.port, 7071);
  EXPECT_EQ(endpoint.authority(), "[::1]:7071");
  EXPECT_EQ(target, "/runtime/webhooks/signalr?code=k");
  EXPECT_EQ(split_http_url("https://[2001:DB8::5]").first.authority(), "[2001:db8::5]:443");
}

TEST(SplitHttpUrl, RefusesWhatItCannotCall) {
  EXPECT_EQ(error_of("ftp://h/"), "Only http:// and https:// URLs are supported, got 'ftp://h/'");
  // Used to throw std::invalid_argument / std::out_of_range from std::stoi, or wrap the port.
  EXPECT_EQ(error_of("http://h:x/"), "Invalid URL 'http://h:x/': the port 'x' is not a number");
  EXPECT_EQ(error_of("http://h:65616/"),
            "Invalid URL 'http://h:65616/': the port '65616' is out of range (1 to 65535)");
  EXPECT_EQ(error_of("http://h:99999999999/"),
            "Invalid URL 'http://h:99999999999/': the port '99999999999' is out of range (1 to "
            "65535)");
  EXPECT_EQ(error_of("http:///x"), "Invalid URL 'http:///x': the URL has no host");
  EXPECT_EQ(error_of("http://u:p@h/"),
            "Invalid URL 'http://u:p@h/': user information ('...@') is not supported");
  EXPECT_EQ(error_of("http://h/a b"),
            "Invalid URL 'http://h/a b': the URL has a space or control character at offset 10");
}

}  // namespace
}  // namespace switchboard::net
