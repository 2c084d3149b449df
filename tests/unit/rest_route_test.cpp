// Unit tests for the data-plane REST route matching (v1 and 2022-06-01 forms, both path orders,
// optional :send, GET/HEAD checks, 405 for known paths with another method).
#include <gtest/gtest.h>

#include "service/rest_route.hpp"

namespace {

using boost::beast::http::verb;
using switchboard::service::match_rest_route;
using switchboard::service::RestOperation;

RestOperation op(verb method, const char* path) {
  auto match = match_rest_route(method, path);
  EXPECT_TRUE(match.route.has_value()) << path;
  return match.route ? match.route->operation : RestOperation::Health;
}

TEST(RestRoute, SendsInBothForms) {
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/:send"), RestOperation::Broadcast);
  EXPECT_EQ(op(verb::post, "/api/v1/hubs/chat"), RestOperation::Broadcast);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/users/u1/:send"), RestOperation::SendToUser);
  EXPECT_EQ(op(verb::post, "/api/v1/hubs/chat/users/u1"), RestOperation::SendToUser);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/groups/g1/:send"), RestOperation::SendToGroup);
  EXPECT_EQ(op(verb::post, "/api/v1/hubs/chat/groups/g1"), RestOperation::SendToGroup);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/connections/c1/:send"), RestOperation::SendToConnection);
  EXPECT_EQ(op(verb::post, "/api/v1/hubs/chat/connections/c1"), RestOperation::SendToConnection);
}

TEST(RestRoute, ChecksAcceptGetAndHead) {
  for (verb method : {verb::get, verb::head}) {
    EXPECT_EQ(op(method, "/api/hubs/chat/connections/c1"), RestOperation::ConnectionExists);
    EXPECT_EQ(op(method, "/api/hubs/chat/users/u1"), RestOperation::UserExists);
    EXPECT_EQ(op(method, "/api/hubs/chat/groups/g1"), RestOperation::GroupExists);
    EXPECT_EQ(op(method, "/api/hubs/chat/users/u1/groups/g1"), RestOperation::UserInGroup);
    EXPECT_EQ(op(method, "/api/v1/hubs/chat/groups/g1/users/u1"), RestOperation::UserInGroup);
    EXPECT_EQ(op(method, "/api/health"), RestOperation::Health);
    EXPECT_EQ(op(method, "/api/v1/health"), RestOperation::Health);
  }
}

TEST(RestRoute, MembershipInBothPathOrders) {
  EXPECT_EQ(op(verb::put, "/api/hubs/chat/users/u1/groups/g1"), RestOperation::AddUserToGroup);
  EXPECT_EQ(op(verb::put, "/api/v1/hubs/chat/groups/g1/users/u1"), RestOperation::AddUserToGroup);
  EXPECT_EQ(op(verb::delete_, "/api/hubs/chat/groups/g1/users/u1"),
            RestOperation::RemoveUserFromGroup);
  EXPECT_EQ(op(verb::delete_, "/api/hubs/chat/users/u1/groups"),
            RestOperation::RemoveUserFromAllGroups);
  EXPECT_EQ(op(verb::put, "/api/hubs/chat/groups/g1/connections/c1"),
            RestOperation::AddConnectionToGroup);
  EXPECT_EQ(op(verb::put, "/api/hubs/chat/connections/c1/groups/g1"),
            RestOperation::AddConnectionToGroup);
  EXPECT_EQ(op(verb::delete_, "/api/hubs/chat/connections/c1/groups/g1"),
            RestOperation::RemoveConnectionFromGroup);
  EXPECT_EQ(op(verb::delete_, "/api/hubs/chat/connections/c1/groups"),
            RestOperation::RemoveConnectionFromAllGroups);
}

TEST(RestRoute, Closes) {
  EXPECT_EQ(op(verb::delete_, "/api/hubs/chat/connections/c1"), RestOperation::CloseConnection);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/:closeConnections"), RestOperation::CloseAll);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/groups/g1/:closeConnections"),
            RestOperation::CloseGroup);
  EXPECT_EQ(op(verb::post, "/api/hubs/chat/users/u1/:closeConnections"), RestOperation::CloseUser);
}

TEST(RestRoute, CapturesDecodedSegmentsAndTheHubPath) {
  auto match = match_rest_route(verb::post, "/api/v1/hubs/Chat/users/a%2Fb/groups/g%20x");
  ASSERT_FALSE(match.route.has_value());  // POST is not a membership method
  EXPECT_TRUE(match.path_known);
  match = match_rest_route(verb::put, "/api/v1/hubs/Chat/users/a%2Fb/groups/g%20x");
  ASSERT_TRUE(match.route.has_value());
  EXPECT_EQ(match.route->hub, "Chat");
  EXPECT_EQ(match.route->user, "a/b");
  EXPECT_EQ(match.route->group, "g x");
  EXPECT_EQ(match.route->hub_path, "/api/v1/hubs/Chat");
  EXPECT_TRUE(match.route->v1);
}

TEST(RestRoute, SegmentsAreComparedDecodedAndEmptyOnesSkipped) {
  auto match = match_rest_route(verb::post, "/%61pi/hubs/chat/users/u%31/%3Asend");
  ASSERT_TRUE(match.route.has_value());
  EXPECT_EQ(match.route->operation, RestOperation::SendToUser);
  EXPECT_EQ(match.route->user, "u1");
  match = match_rest_route(verb::post, "//api//hubs/chat//groups/g/");
  ASSERT_TRUE(match.route.has_value());
  EXPECT_EQ(match.route->operation, RestOperation::SendToGroup);
  EXPECT_EQ(match.route->group, "g");
  EXPECT_EQ(match.route->hub_path, "//api//hubs/chat");
  // Longer than any route: nothing, not even a known path.
  match = match_rest_route(verb::post, "/api/hubs/chat/users/u/groups/g/a/b/c/d/e/f/g/h/i");
  EXPECT_FALSE(match.route.has_value());
  EXPECT_FALSE(match.path_known);
}

TEST(RestRoute, UnknownPathsAndWrongMethods) {
  EXPECT_FALSE(match_rest_route(verb::post, "/api/hubs").route.has_value());
  EXPECT_FALSE(match_rest_route(verb::post, "/api/hubs/chat/things/x").path_known);
  EXPECT_FALSE(match_rest_route(verb::get, "/nothing").path_known);
  auto wrong = match_rest_route(verb::get, "/api/hubs/chat/:send");
  EXPECT_FALSE(wrong.route.has_value());
  EXPECT_TRUE(wrong.path_known);  // 405, not 404
  EXPECT_FALSE(match_rest_route(verb::post, "/api/hubs/chat/users/u/groups/:send").route);
}

}  // namespace
