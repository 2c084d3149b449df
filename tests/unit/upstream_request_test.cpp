// Unit tests for upstream requests: the signature header (known vectors), the claims and client
// query headers, event bodies and the headers of a built call.
#include "upstream/request.hpp"

#include <gtest/gtest.h>

#include <array>

#include "auth/upstream_signature.hpp"

namespace switchboard::upstream {
namespace {

TEST(UpstreamSignature, KnownVectors) {
  // node -e 'crypto.createHmac("sha256", Buffer.from("key-one","utf8")).update("conn-1")
  //          .digest("hex").toUpperCase()'  (and the same with "second key")
  std::array<std::string, 1> one{"key-one"};
  EXPECT_EQ(auth::upstream_signature("conn-1", one),
            "sha256=81FB2DA8928B852BE5BC168577E509765EF318BDD376E91B03BEB0760DE1F9EE");
  std::array<std::string, 2> two{"key-one", "second key"};
  EXPECT_EQ(auth::upstream_signature("conn-1", two),
            "sha256=81FB2DA8928B852BE5BC168577E509765EF318BDD376E91B03BEB0760DE1F9EE,"
            "sha256=80B38BA1A8112FDB977171C2FB6B324E153F6BE3C60901C39C25F91A4D698917");
}

TEST(UpstreamRequest, ClaimsHeaderLeavesOutTokenAndServiceClaims) {
  std::vector<std::pair<std::string, std::string>> claims = {
      {"aud", "http://localhost/client/?hub=chat"},
      {"exp", "1700000000"},
      {"iat", "1690000000"},
      {"nbf", "1690000000"},
      {"asrs.s.uid", "alice"},
      {"asrs.s.htt", "1"},
      {"name", "Alice A."},
      {"role", "admin"},
      {"role", "editor"},
      {"sub", "alice"},
      {"note", "two\r\nlines"},
  };
  EXPECT_EQ(claims_header(claims),
            "name: Alice A., role: admin, role: editor, sub: alice, note: two  lines");
  EXPECT_EQ(claims_header({{"aud", "x"}, {"asrs.s.uid", "bob"}}), "");
}

TEST(UpstreamRequest, ClientQueryWithoutCredentials) {
  EXPECT_EQ(client_query_header("?hub=chat&id=tok&access_token=eyJ.x.y&room=a%20b&_=1700"),
            "?hub=chat&room=a%20b");
  EXPECT_EQ(client_query_header("hub=chat&ID=t&Access_Token=z&asrs_redirected=1&x=1&x=2&flag"),
            "?hub=chat&x=1&x=2&flag");
  EXPECT_EQ(client_query_header("access%5Ftoken=z&a=1"), "?a=1");  // decoded before comparing
  EXPECT_EQ(client_query_header("?id=x&access_token=y"), "");
  EXPECT_EQ(client_query_header(""), "");
  EXPECT_EQ(client_query_header("?&&hub=chat&&"), "?hub=chat");
}

TEST(UpstreamRequest, Bodies) {
  EXPECT_EQ(connect_body(), "{}");
  EXPECT_EQ(connected_body(), R"({"type":10})");
  EXPECT_EQ(disconnected_body(""), R"({"type":11})");
  EXPECT_EQ(disconnected_body("Bye \"now\""), R"({"type":11,"error":"Bye \"now\""})");
}

TEST(UpstreamRequest, CallHeadersAndUrl) {
  Template t;
  t.url_template = "http://fn/api/{hub}/{category}/{event}";
  ConnectionFacts facts;
  facts.connection_id = "c1";
  facts.hub = "chat";
  facts.signature = "sha256=AB";
  auto call = build_call(t, facts, "messages", "send it", kJsonContentType, R"({"type":1})");
  EXPECT_EQ(call.url, "http://fn/api/chat/messages/send%20it");
  EXPECT_EQ(call.content_type, "application/json");
  EXPECT_EQ(call.body, R"({"type":1})");
  std::vector<std::pair<std::string, std::string>> expected = {{"X-ASRS-Connection-Id", "c1"},
                                                               {"X-ASRS-Hub", "chat"},
                                                               {"X-ASRS-Category", "messages"},
                                                               {"X-ASRS-Event", "send it"},
                                                               {"X-ASRS-Signature", "sha256=AB"}};
  EXPECT_EQ(call.headers, expected);  // no user, claims or query: those headers are left out

  facts.user_id = "alice";
  facts.claims = "name: Alice";
  facts.query = "?hub=chat";
  call = build_call(t, facts, "connections", "connected", kJsonContentType, connected_body());
  expected = {{"X-ASRS-Connection-Id", "c1"},       {"X-ASRS-Hub", "chat"},
              {"X-ASRS-Category", "connections"},   {"X-ASRS-Event", "connected"},
              {"X-ASRS-User-Id", "alice"},          {"X-ASRS-User-Claims", "name: Alice"},
              {"X-ASRS-Client-Query", "?hub=chat"}, {"X-ASRS-Signature", "sha256=AB"}};
  EXPECT_EQ(call.headers, expected);
}

}  // namespace
}  // namespace switchboard::upstream
