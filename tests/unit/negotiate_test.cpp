// Unit tests for the negotiate response, error and redirect bodies, and the version a client asks
// for.
#include "protocol/negotiate.hpp"

#include <gtest/gtest.h>

namespace switchboard::protocol {
namespace {

constexpr std::string_view kWsJson =
    R"({"transport":"WebSockets","transferFormats":["Text","Binary"]})";
constexpr std::string_view kSseJson =
    R"({"transport":"ServerSentEvents","transferFormats":["Text"]})";
constexpr std::string_view kLpJson =
    R"({"transport":"LongPolling","transferFormats":["Text","Binary"]})";

TEST(Negotiate, Version1) {
  NegotiateResponse response;
  response.connection_id = "cid";
  response.connection_token = "ctoken";
  EXPECT_EQ(encode_negotiate_response(response),
            R"({"negotiateVersion":1,"connectionId":"cid","connectionToken":"ctoken",)"
            R"("availableTransports":[)" +
                std::string(kWsJson) + "," + std::string(kSseJson) + "," + std::string(kLpJson) +
                "]}");
}

TEST(Negotiate, Version0OmitsConnectionToken) {
  NegotiateResponse response;
  response.negotiate_version = 0;
  response.connection_id = "cid";
  response.connection_token = "secret";
  const std::string body = encode_negotiate_response(response);
  EXPECT_EQ(body, R"({"negotiateVersion":0,"connectionId":"cid","availableTransports":[)" +
                      std::string(kWsJson) + "," + std::string(kSseJson) + "," +
                      std::string(kLpJson) + "]}");
  EXPECT_EQ(body.find("secret"), std::string::npos);
}

TEST(Negotiate, TransportFiltering) {
  NegotiateResponse response;
  response.connection_id = "c";
  response.connection_token = "t";
  const std::string prefix =
      R"({"negotiateVersion":1,"connectionId":"c","connectionToken":"t","availableTransports":[)";
  response.transports = kWebSockets;
  EXPECT_EQ(encode_negotiate_response(response), prefix + std::string(kWsJson) + "]}");
  response.transports = kServerSentEvents | kLongPolling;
  EXPECT_EQ(encode_negotiate_response(response),
            prefix + std::string(kSseJson) + "," + std::string(kLpJson) + "]}");
  response.transports = kLongPolling;
  EXPECT_EQ(encode_negotiate_response(response), prefix + std::string(kLpJson) + "]}");
  response.transports = 0;
  EXPECT_EQ(encode_negotiate_response(response), prefix + "]}");
}

TEST(Negotiate, StatefulReconnectComesFirstAndOnlyWhenTrue) {
  NegotiateResponse response;
  response.connection_id = "c";
  response.connection_token = "t";
  response.transports = kWebSockets;
  response.use_stateful_reconnect = true;
  EXPECT_EQ(encode_negotiate_response(response),
            R"({"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"c",)"
            R"("connectionToken":"t","availableTransports":[)" +
                std::string(kWsJson) + "]}");
  response.use_stateful_reconnect = false;
  EXPECT_EQ(encode_negotiate_response(response).find("useStatefulReconnect"), std::string::npos);
}

TEST(Negotiate, ErrorAndRedirect) {
  EXPECT_EQ(encode_negotiate_error("Unauthorized \"token\""),
            R"({"error":"Unauthorized \"token\""})");
  EXPECT_EQ(encode_negotiate_redirect("http://localhost:8888/client/?hub=chat", "a.b.c"),
            R"({"url":"http://localhost:8888/client/?hub=chat","accessToken":"a.b.c"})");
}

// Found by the negotiate fuzz target: an access token or version text with bytes that are not
// UTF-8 (percent-decoded from the query) made the redirect and error answers invalid JSON.
TEST(Negotiate, AnswersStayJsonWithInvalidUtf8) {
  EXPECT_EQ(encode_negotiate_error("version '\xff'"), "{\"error\":\"version '\xef\xbf\xbd'\"}");
  EXPECT_EQ(encode_negotiate_redirect("http://b/client/?hub=chat", "ey\x88J"),
            "{\"url\":\"http://b/client/?hub=chat\",\"accessToken\":\"ey\xef\xbf\xbdJ\"}");
}

TEST(Negotiate, RequestedVersion) {
  EXPECT_EQ(parse_negotiate_version("1"), 1);
  EXPECT_EQ(parse_negotiate_version("0"), 0);
  EXPECT_EQ(parse_negotiate_version("7"), 1);   // newer clients get the newest this server has
  EXPECT_EQ(parse_negotiate_version(" 1"), 1);  // as ASP.NET Core's int parsing
  EXPECT_EQ(parse_negotiate_version("+1"), 1);
  EXPECT_EQ(parse_negotiate_version("-1"), std::nullopt);
  EXPECT_EQ(parse_negotiate_version("1x"), std::nullopt);
  EXPECT_EQ(parse_negotiate_version(""), std::nullopt);
  EXPECT_EQ(parse_negotiate_version("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_negotiate_version(std::string_view("1\0", 2)), std::nullopt);
}

}  // namespace
}  // namespace switchboard::protocol
