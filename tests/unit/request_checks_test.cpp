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
  EXPECT_EQ(https[http::field::host], "Example.test");

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
  for (std::string_view target : {"ftp://example.test/x", "http:///path", "http://user@host/x"}) {
    auto request = make(target);
    EXPECT_TRUE(normalize_request_target(request)) << target;
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
