// Unit tests for net/response_bytes: the bytes are exactly what Beast's serializer writes for the
// same answer (status line, reason, fields in order, body), for the answers the servers give.
#include "net/response_bytes.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/write.hpp>
#include <sstream>

namespace switchboard::net {
namespace {

std::string beast_bytes(const Response& response) {
  std::ostringstream out;
  out << response;
  return out.str();
}

std::string our_bytes(const Response& response) {
  std::string out = "kept:";
  append_response_bytes(response, out);
  EXPECT_EQ(out.substr(0, 5), "kept:");  // appends, never replaces
  return out.substr(5);
}

Response prepared(Response response, unsigned version, bool keep_alive) {
  response.version(version);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

TEST(ResponseBytes, SameAsBeastsSerializer) {
  const std::vector<Response> answers = {
      prepared(make_response(http::status::accepted), 11, true),
      prepared(make_response(http::status::no_content), 11, false),
      prepared(make_error(http::status::unauthorized, "Unauthorized", "Token \"x\" expired."), 11,
               true),
      prepared(make_response(http::status::ok, "hello", "text/plain"), 10, true),
      prepared(make_response(http::status::ok, "hello", "text/plain"), 10, false),
  };
  for (const auto& answer : answers) EXPECT_EQ(our_bytes(answer), beast_bytes(answer));

  auto custom = make_error(http::status::service_unavailable, "Error.Cluster.Unavailable", "away");
  custom.set("x-ms-error-code", "Error.Cluster.Unavailable");
  custom.set(http::field::retry_after, "1");
  custom.reason("Try Later");
  custom = prepared(std::move(custom), 11, true);
  EXPECT_EQ(our_bytes(custom), beast_bytes(custom));
  EXPECT_EQ(our_bytes(custom).rfind("HTTP/1.1 503 Try Later\r\n", 0), 0u);

  Response unknown{static_cast<http::status>(299), 11};
  unknown = prepared(std::move(unknown), 11, true);
  EXPECT_EQ(our_bytes(unknown), beast_bytes(unknown));
}

TEST(ResponseBytes, AcceptedAnswerInFull) {
  auto accepted = prepared(make_response(http::status::accepted), 11, true);
  EXPECT_EQ(our_bytes(accepted),
            "HTTP/1.1 202 Accepted\r\nServer: switchboard\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace switchboard::net
