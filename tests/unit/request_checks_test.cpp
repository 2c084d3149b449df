// Unit tests for the request checks the HTTP server makes once the headers are read: absolute-form
// targets become origin-form with the authority as Host (RFC 9112 §3.2.2), and Transfer-Encoding
// framing that leaves the body length unknown is refused (RFC 9112 §6).
#include <gtest/gtest.h>

#include "net/request_framing.hpp"
#include "net/request_target.hpp"

namespace {

using namespace switchboard::net;

Request make(std::string_view target, std::string_view host = "original:1") {
  Request request{http::verb::post, target, 11};
  request.set(http::field::host, host);
  return request;
}

TEST(RequestTarget, AbsoluteFormBecomesOriginFormAndNamesTheHost) {
  auto request = make("http://example.test:8888/api/hubs/chat/:send?api-version=2022-06-01");
  EXPECT_FALSE(normalize_request_target(request));
  EXPECT_EQ(request.target(), "/api/hubs/chat/:send?api-version=2022-06-01");
  EXPECT_EQ(request[http::field::host], "example.test:8888");

  auto https = make("HTTPS://Example.test");
  EXPECT_FALSE(normalize_request_target(https));
  EXPECT_EQ(https.target(), "/");
  EXPECT_EQ(https[http::field::host], "example.test");  // as util::parse_url writes it

  auto ipv6 = make("http://[0::1]:8080/a#fragment");
  EXPECT_FALSE(normalize_request_target(ipv6));
  EXPECT_EQ(ipv6.target(), "/a");
  EXPECT_EQ(ipv6[http::field::host], "[::1]:8080");

  auto query_only = make("http://h?x=1");
  EXPECT_FALSE(normalize_request_target(query_only));
  EXPECT_EQ(query_only.target(), "/?x=1");
}

TEST(RequestTarget, OriginFormAndOtherFormsAreLeftAlone) {
  for (std::string_view target : {"/api/health", "*", "example.test:443", "/http://x/"}) {
    auto request = make(target);
    EXPECT_FALSE(normalize_request_target(request)) << target;
    EXPECT_EQ(request.target(), target);
    EXPECT_EQ(request[http::field::host], "original:1");
  }
}

TEST(RequestTarget, UnusableAbsoluteTargetsAreRefused) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"ftp://example.test/x", "The request target's scheme 'ftp' is not served here."},
      {"http:///path", "The request target is not a valid URL: the URL has no host."},
      {"http://user@host/x", "The request target must not carry user information."},
      {"http://host:99999/x",
       "The request target is not a valid URL: the port '99999' is out of range (1 to 65535)."},
      {"http://host:/x",
       "The request target is not a valid URL: the URL has ':' after the host "
       "but no port."},
      {"http://[::1/x",
       "The request target is not a valid URL: the IPv6 address lacks its "
       "closing ']'."},
      {"http://a..b/x",
       "The request target is not a valid URL: the host 'a..b' has an empty "
       "label (a leading, trailing or doubled '.')."},
      {"http://h/%zz",
       "The request target is not a valid URL: the path has a malformed "
       "percent-escape '%zz' ('%' must be followed by two hex digits)."},
  };
  for (const auto& [target, message] : cases) {
    auto request = make(target);
    EXPECT_EQ(normalize_request_target(request), std::string(message)) << target;
    EXPECT_EQ(request[http::field::host], "original:1") << target;
  }
}

Request with_framing(unsigned version, std::vector<std::pair<http::field, std::string>> fields) {
  Request request{http::verb::post, "/api/x", version};
  for (auto& [name, value] : fields) request.insert(name, value);
  return request;
}

TEST(RequestFraming, SoundFramingPasses) {
  EXPECT_FALSE(check_request_framing(with_framing(11, {})));
  EXPECT_FALSE(check_request_framing(with_framing(11, {{http::field::content_length, "5"}})));
  EXPECT_FALSE(
      check_request_framing(with_framing(11, {{http::field::transfer_encoding, "chunked"}})));
  EXPECT_FALSE(
      check_request_framing(with_framing(11, {{http::field::transfer_encoding, "Chunked"}})));
  EXPECT_FALSE(check_request_framing(with_framing(10, {{http::field::content_length, "5"}})));
}

TEST(RequestFraming, UnknownLengthIsBadRequest) {
  auto gzip = check_request_framing(with_framing(11, {{http::field::transfer_encoding, "gzip"}}));
  ASSERT_TRUE(gzip);
  EXPECT_EQ(gzip->status, http::status::bad_request);
  auto not_last =
      check_request_framing(with_framing(11, {{http::field::transfer_encoding, "chunked, gzip"}}));
  ASSERT_TRUE(not_last);
  EXPECT_EQ(not_last->status, http::status::bad_request);
  auto twice =
      check_request_framing(with_framing(11, {{http::field::transfer_encoding, "chunked"},
                                              {http::field::transfer_encoding, "chunked"}}));
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, http::status::bad_request);
  auto both = check_request_framing(with_framing(
      11, {{http::field::transfer_encoding, "gzip"}, {http::field::content_length, "5"}}));
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, http::status::bad_request);
  auto http10 =
      check_request_framing(with_framing(10, {{http::field::transfer_encoding, "chunked"}}));
  ASSERT_TRUE(http10);
  EXPECT_EQ(http10->status, http::status::bad_request);
}

TEST(RequestFraming, AnotherCodingBeforeChunkedIsNotImplemented) {
  auto error = check_request_framing(with_framing(
      11, {{http::field::transfer_encoding, "gzip"}, {http::field::transfer_encoding, "chunked"}}));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, http::status::not_implemented);
  EXPECT_NE(error->message.find("gzip"), std::string::npos);
}

}  // namespace
