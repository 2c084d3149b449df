// net/whole_request, the HTTP session's fast path: the requests it takes (read exactly as Beast's
// parser reads them, tests/fuzz/beast_request_reference.hpp) and the ones it leaves to Beast's
// parser, which answers them (or their errors) as before.
#include "net/whole_request.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "../fuzz/beast_request_reference.hpp"

namespace switchboard::net {
namespace {

constexpr WholeRequestLimits kLimits{16 * 1024, 1 << 20};

// What an Azure SignalR REST client sends for a user send (the bench's sender writes the same).
std::string user_send(std::string_view body = R"({"target":"newMessage","arguments":["hi"]})") {
  return "POST /api/v1/hubs/chat/users/u1?api-version=2022-06-01 HTTP/1.1\r\n"
         "Host: 127.0.0.1:8080\r\n"
         "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwOi8vMTI3LjAu"
         "MC4xOjgwODAvYXBpL3YxL2h1YnMvY2hhdCIsImV4cCI6MTk5OTk5OTk5OX0.c2lnbmF0dXJl\r\n"
         "Content-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Parses `bytes` with the fast path; when it accepts, checks that Beast's parser reads the same.
std::size_t parse_checked(std::string_view bytes, WholeRequestLimits limits = kLimits) {
  Request request;
  const std::size_t used = parse_whole_request(bytes, limits, request);
  if (used != 0) {
    const auto beast = reference::read_with_beast(bytes, limits);
    EXPECT_TRUE(beast.whole) << bytes;
    EXPECT_EQ(beast.used, used) << bytes;
    EXPECT_EQ(beast.request, reference::describe(request));
  }
  return used;
}

TEST(WholeRequest, ReadsARestSendAsBeastDoes) {
  const std::string bytes = user_send();
  Request request;
  ASSERT_EQ(parse_whole_request(bytes, kLimits, request), bytes.size());
  EXPECT_EQ(request.method(), http::verb::post);
  EXPECT_EQ(request.target(), "/api/v1/hubs/chat/users/u1?api-version=2022-06-01");
  EXPECT_EQ(request.version(), 11);
  EXPECT_EQ(request[http::field::host], "127.0.0.1:8080");
  EXPECT_EQ(request[http::field::content_type], "application/json");
  EXPECT_EQ(bearer_token(request).substr(0, 6), "eyJhbG");
  EXPECT_EQ(request.body(), R"({"target":"newMessage","arguments":["hi"]})");
  EXPECT_TRUE(request.keep_alive());
  EXPECT_EQ(parse_checked(bytes), bytes.size());
}

TEST(WholeRequest, TakesOnlyTheFirstOfPipelinedRequests) {
  const std::string first = user_send("{}");
  const std::string both = first + user_send();
  EXPECT_EQ(parse_checked(both), first.size());
}

TEST(WholeRequest, ReadsWhatBeastReadsInEdgeCasesItTakes) {
  // No body, HTTP/1.0, an unknown method, spaces and tabs around values, an empty value, an
  // unknown field, Connection lists, obs-text in a value, a zero Content-Length, leading zeros.
  for (std::string_view bytes : std::initializer_list<std::string_view>{
           "GET / HTTP/1.1\r\n\r\n",
           "GET /x HTTP/1.0\r\nHost: a\r\n\r\n",
           "PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1\r\nHost:  \t a b \t \r\nX-Empty:\r\nX-Tab:\tv\tw\r\n\r\n",
           "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
           "GET / HTTP/1.0\r\nConnection:close\r\n\r\n",
           "GET / HTTP/1.1\r\nX-Name: caf\xc3\xa9\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 003\r\n\r\nabc",
           "POST /a?b=%20&c=~ HTTP/1.1\r\nx-custom-header!#$%&'*+-.^_`|~: 1\r\n\r\n",
       }) {
    EXPECT_EQ(parse_checked(bytes), bytes.size()) << bytes;
  }
}

TEST(WholeRequest, ClosingConnectionListIsRead) {
  Request request;
  const std::string bytes = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(parse_whole_request(bytes, kLimits, request), bytes.size());
  EXPECT_FALSE(request.keep_alive());
}

TEST(WholeRequest, LeavesIncompleteRequestsToBeast) {
  const std::string bytes = user_send();
  const std::size_t head = bytes.find("\r\n\r\n") + 4;
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{20}, head - 2, head - 1, head,
                          bytes.size() - 1})
    EXPECT_EQ(parse_checked(std::string_view(bytes).substr(0, cut)), 0u) << cut;
}

TEST(WholeRequest, LeavesWhatItDoesNotTakeToBeast) {
  for (std::string_view bytes : std::initializer_list<std::string_view>{
           // Transfer-Encoding, in any form: Beast reads chunked bodies, the session answers the
           // rest (400/501).
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "POST / HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n",
           // Obsolete line folding, bare LF, a CR without LF.
           "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n",
           "GET / HTTP/1.1\nHost: a\n\n",
           "GET / HTTP/1.1\r\nHost: a\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
           // Bytes Beast refuses in a name or value, a space before the colon, an empty name.
           std::string_view("GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 28),
           "GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n",
           "GET / HTTP/1.1\r\nX A: a\r\n\r\n",
           "GET / HTTP/1.1\r\nX-A : a\r\n\r\n",
           "GET / HTTP/1.1\r\n: a\r\n\r\n",
           // Targets: absolute-form (normalized on Beast's path), '*', control bytes, empty.
           "GET http://a/x HTTP/1.1\r\n\r\n",
           "OPTIONS * HTTP/1.1\r\n\r\n",
           "GET /a\tb HTTP/1.1\r\n\r\n",
           "GET  HTTP/1.1\r\n\r\n",
           // Versions other than 1.0 and 1.1, a lower-case version, a missing CRLF.
           "GET / HTTP/2.0\r\n\r\n",
           "GET / http/1.1\r\n\r\n",
           "GET / HTTP/1.1 \r\n\r\n",
           // Content-Length: a list, a sign, a second field, too many digits, not a number.
           "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\na",
           "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na",
           "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na",
           "POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
           // Connection values that are not a plain token list.
           "GET / HTTP/1.1\r\nConnection: a b\r\n\r\n",
           "GET / HTTP/1.1\r\nConnection: close,\r\n\r\n",
           "GET / HTTP/1.1\r\nConnection:\r\n\r\n",
           // An empty line before the request line, a method that is not a token.
           "\r\nGET / HTTP/1.1\r\n\r\n",
           "G(T / HTTP/1.1\r\n\r\n",
       }) {
    Request request;
    EXPECT_EQ(parse_whole_request(bytes, kLimits, request), 0u) << bytes;
  }
}

TEST(WholeRequest, LeavesHeadsAndBodiesOverTheLimitsToBeast) {
  // Beast answers these 431 and 413; the fast path takes a head of exactly the limit, as Beast.
  const std::string small = "GET / HTTP/1.1\r\nX-A: " + std::string(100, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse_checked(small, {small.size(), 0}), small.size());
  Request request;
  EXPECT_EQ(parse_whole_request(small, {small.size() - 1, 0}, request), 0u);

  const std::string body = user_send(std::string(64, 'x'));
  EXPECT_EQ(parse_checked(body, {kLimits.max_header_bytes, 64}), body.size());
  Request request2;
  EXPECT_EQ(parse_whole_request(body, {kLimits.max_header_bytes, 63}, request2), 0u);
  EXPECT_FALSE(reference::read_with_beast(body, {kLimits.max_header_bytes, 63}).whole);
}

TEST(WholeRequest, ChecksLongValuesByteForByte) {
  // The value check goes eight bytes at a time: a bad byte in any position of a long value is
  // found, and every good byte (SP, HTAB, obs-text) passes.
  const std::string good(40, 'v');
  for (std::size_t at = 0; at < good.size(); ++at) {
    for (char bad : {'\0', '\x01', '\x1f', '\x7f', '\n'}) {
      std::string value = good;
      value[at] = bad;
      const std::string bytes = "GET / HTTP/1.1\r\nX-A: " + value + "\r\n\r\n";
      Request request;
      EXPECT_EQ(parse_whole_request(bytes, kLimits, request), 0u) << at << " " << int(bad);
    }
    for (char fine : {' ', '\t', '\x80', '\xff', '~', '!'}) {
      std::string value = good;
      value[at] = fine;
      const std::string bytes = "GET / HTTP/1.1\r\nX-A: " + value + "\r\n\r\n";
      EXPECT_EQ(parse_checked(bytes), bytes.size()) << at << " " << int(fine);
    }
  }
}

// The view the session hands to HttpHandler::answer_now: views into the bytes, no copies.
TEST(WholeRequest, ViewPointsIntoTheBytesAndFindsFields) {
  const std::string bytes = user_send() + "GET / HTTP/1.1\r\n\r\n";
  RequestView view;
  const std::size_t used = parse_whole_request(bytes, kLimits, view);
  ASSERT_EQ(used, user_send().size());
  EXPECT_EQ(view.method, http::verb::post);
  EXPECT_EQ(view.method_text, "POST");
  EXPECT_EQ(view.version, 11u);
  EXPECT_EQ(view.target.data(), bytes.data() + 5);  // in place
  EXPECT_EQ(view.body, R"({"target":"newMessage","arguments":["hi"]})");
  EXPECT_EQ(view.body.data() + view.body.size(), bytes.data() + used);
  ASSERT_EQ(view.field_count, 4u);
  EXPECT_EQ(view.field(http::field::host), "127.0.0.1:8080");
  EXPECT_EQ(view.field("CONTENT-type"), "application/json");  // by text, any case
  EXPECT_EQ(bearer_token_in(view.field(http::field::authorization)).substr(0, 6), "eyJhbG");
  EXPECT_EQ(view.field(http::field::origin), std::nullopt);
  EXPECT_EQ(view.field("x-request-id"), std::nullopt);
  // Converted, it is the request Beast's parser reads.
  EXPECT_EQ(reference::describe(to_request(view)),
            reference::read_with_beast(user_send(), kLimits).request);
}

TEST(WholeRequest, ViewIsRefilledForEachRequest) {
  RequestView view;
  ASSERT_NE(parse_whole_request(user_send(), kLimits, view), 0u);
  const std::string second = "GET /api/health HTTP/1.0\r\nx-request-id: r1\r\n\r\n";
  ASSERT_EQ(parse_whole_request(second, kLimits, view), second.size());
  EXPECT_EQ(view.method, http::verb::get);
  EXPECT_EQ(view.version, 10u);
  EXPECT_EQ(view.field_count, 1u);
  EXPECT_EQ(view.field("X-Request-Id"), "r1");
  EXPECT_EQ(view.field(http::field::host), std::nullopt);  // the first request's is gone
  EXPECT_TRUE(view.body.empty());
}

TEST(WholeRequest, LeavesMoreFieldsThanTheViewHoldsToBeast) {
  auto with_fields = [](std::size_t count) {
    std::string bytes = "GET / HTTP/1.1\r\n";
    for (std::size_t i = 0; i < count; ++i)
      bytes += "x-f" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
    return bytes + "\r\n";
  };
  const std::string full = with_fields(RequestView::kMaxFields);
  EXPECT_EQ(parse_checked(full), full.size());
  const std::string over = with_fields(RequestView::kMaxFields + 1);
  EXPECT_EQ(parse_checked(over), 0u);
  EXPECT_TRUE(reference::read_with_beast(over, kLimits).whole);  // which reads it
}

// The view's own codes for the names it looks at agree with Beast's, in any case, and a lookup
// by any other code finds its field by name.
TEST(WholeRequest, ViewClassifiesFieldNamesAsBeastDoes) {
  for (unsigned code = 1; code <= static_cast<unsigned>(http::field::xref); ++code) {
    const auto field = static_cast<http::field>(code);
    const std::string_view name = http::to_string(field);
    if (name.empty() || name == "<unknown-field>") continue;
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const http::field mine = classify_field_name(upper);
    EXPECT_TRUE(mine == field || mine == http::field::unknown) << name;
    EXPECT_EQ(mine == field, has_code_here(field)) << name;
    EXPECT_EQ(http::string_to_field(upper), field) << name;
    // A request with only this field finds it by its code.
    const std::string bytes = "GET / HTTP/1.1\r\n" + upper + ": v\r\n\r\n";
    if (field == http::field::content_length || field == http::field::transfer_encoding) continue;
    RequestView view;
    ASSERT_EQ(parse_whole_request(bytes, kLimits, view), bytes.size()) << name;
    EXPECT_EQ(view.field(field), "v") << name;
    EXPECT_EQ(to_request(view).find(field)->value(), "v") << name;
  }
  EXPECT_EQ(classify_field_name("x-request-id"), http::field::unknown);
  EXPECT_EQ(classify_field_name("Content-Typo"), http::field::unknown);
  EXPECT_EQ(classify_field_name("hosT"), http::field::host);
}

// Field names and values of every length around the sixteen-byte steps, with an odd byte at each
// position: read as Beast reads them, or left to Beast where it questions them.
TEST(WholeRequest, NamesAndValuesAtEveryLengthAndPosition) {
  for (std::size_t length = 1; length <= 40; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (char odd : {'a', '!', '~', ':', ' ', '\x7f', '\x01', '\t', '\x80'}) {
        std::string name(length, 'n');
        std::string value(length, 'v');
        if (at < length) {
          name[at] = odd;
          value[at] = odd;
        }
        for (const std::string& head :
             {"GET / HTTP/1.1\r\n" + name + ": v\r\nHost: h\r\n\r\n",
              "GET / HTTP/1.1\r\nx: " + value + "\r\n\r\n",
              "GET / HTTP/1.1\r\nx: " + value + "\r\n\r\n" + std::string(32, 'z')}) {
          const std::size_t used = parse_checked(head);
          if (used == 0) {
            // Declined: fine where Beast refuses it or reads it otherwise; never where the odd
            // byte is one a name or value plainly takes.
            EXPECT_FALSE(odd == 'a' && at < length) << head;
          }
        }
      }
    }
  }
}
}  // namespace
}  // namespace switchboard::net
