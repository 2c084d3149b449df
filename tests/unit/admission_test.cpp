// Unit tests for the client connection limits (service/admission): the node's limit refuses with
// 503, the per-address limit and the negotiate rate with 429, all with Retry-After; a ticket
// dropped gives its place back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/admission.hpp"

namespace {

using boost::asio::ip::make_address;
using switchboard::service::Admission;
using switchboard::service::AdmissionLimits;
namespace http = switchboard::net::http;

const auto alice = make_address("198.51.100.1");
const auto bob = make_address("198.51.100.2");

std::string message_of(const switchboard::net::Response& response) {
  return nlohmann::json::parse(response.body()).at("message").get<std::string>();
}

TEST(Admission, RefusesBeyondTheNodeLimitWith503UntilAPlaceIsFree) {
  auto admission = std::make_shared<Admission>(AdmissionLimits{.max_connections = 2});
  auto first = admission->admit(alice);
  auto second = admission->admit(bob);
  ASSERT_FALSE(first.refusal);
  ASSERT_FALSE(second.refusal);
  EXPECT_EQ(admission->connections(), 2u);
  auto third = admission->admit(alice);
  ASSERT_TRUE(third.refusal);
  EXPECT_EQ(third.refusal->result(), http::status::service_unavailable);
  EXPECT_EQ((*third.refusal)[http::field::retry_after], "5");
  EXPECT_EQ(message_of(*third.refusal),
            "The service has reached its connection limit (2 connections); try again later.");
  auto negotiate = admission->check_negotiate(bob);
  ASSERT_TRUE(negotiate);
  EXPECT_EQ(negotiate->result(), http::status::service_unavailable);
  first.ticket.reset();
  EXPECT_EQ(admission->connections(), 1u);
  EXPECT_FALSE(admission->check_negotiate(bob));
  EXPECT_FALSE(admission->admit(bob).refusal);
}

TEST(Admission, LimitsConnectionsPerAddressWith429) {
  auto admission = std::make_shared<Admission>(
      AdmissionLimits{.max_connections = 100, .max_connections_per_ip = 2});
  auto a1 = admission->admit(alice);
  auto a2 = admission->admit(alice);
  auto a3 = admission->admit(alice);
  ASSERT_TRUE(a3.refusal);
  EXPECT_EQ(a3.refusal->result(), http::status::too_many_requests);
  EXPECT_EQ((*a3.refusal)[http::field::retry_after], "5");
  EXPECT_EQ(message_of(*a3.refusal), "Too many connections from your address (at most 2).");
  EXPECT_FALSE(admission->admit(bob).refusal) << "another address is not affected";
  a1.ticket.reset();
  EXPECT_FALSE(admission->admit(alice).refusal);
}

TEST(Admission, RateLimitsNegotiatesPerAddressWith429) {
  auto admission = std::make_shared<Admission>(
      AdmissionLimits{.max_connections = 100, .negotiate_rate = 0.5, .negotiate_burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(admission->check_negotiate(alice)) << i;
  auto refused = admission->check_negotiate(alice);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::too_many_requests);
  EXPECT_EQ((*refused)[http::field::retry_after], "2");  // one token every 2 s
  EXPECT_FALSE(admission->check_negotiate(bob)) << "another address has its own bucket";
}

TEST(Admission, TheBurstDefaultsToTwiceTheRate) {
  auto admission =
      std::make_shared<Admission>(AdmissionLimits{.max_connections = 100, .negotiate_rate = 2});
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(admission->check_negotiate(alice)) << i;
  EXPECT_TRUE(admission->check_negotiate(alice));
}

TEST(Admission, NoRateMeansNoRateLimit) {
  auto admission = std::make_shared<Admission>(AdmissionLimits{.max_connections = 100});
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(admission->check_negotiate(alice)) << i;
}

}  // namespace
