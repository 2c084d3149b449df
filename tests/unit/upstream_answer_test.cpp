// Unit tests for upstream answers: which invocation answers are forwarded, which become
// completions made here (empty, status errors, failures, too large), and connect verdicts.
#include "upstream/answer.hpp"

#include <gtest/gtest.h>

#include "protocol/json_hub_protocol.hpp"
#include "protocol/messagepack_hub_protocol.hpp"

namespace switchboard::upstream {
namespace {

using namespace std::chrono_literals;

Reply answer(int status, std::string body = {}) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply failed(Reply::Failure failure) {
  Reply r;
  r.failure = failure;
  r.detail = "Cannot connect to 127.0.0.1:9: Connection refused";
  return r;
}

const std::string kRs = "\x1e";

TEST(UpstreamAnswer, JsonCompletionForwardedVerbatim) {
  std::string body = R"({"type":3,"invocationId":"7","result":{"a":[1,2]}})" + kRs;
  EXPECT_EQ(invocation_completion(answer(200, body), Protocol::Json, "7", 30s), body);
  std::string error = R"({"type":3,"invocationId":"7","error":"boom"})" + kRs;
  EXPECT_EQ(invocation_completion(answer(200, error), Protocol::Json, "7", 30s), error);
}

TEST(UpstreamAnswer, JsonAnswersThatAreNotTheCompletion) {
  const std::string not_completion = protocol::encode_completion_error(
      "7",
      "Invocation failed: the upstream's answer was not a JSON completion message for this "
      "invocation.");
  for (std::string body : {
           std::string(R"({"type":3,"invocationId":"8","result":1})") + kRs,  // another id
           std::string(R"({"type":3,"invocationId":"7","result":1})"),        // not framed
           std::string(R"({"type":1,"target":"x","arguments":[]})") + kRs,    // not a completion
           std::string(R"({"type":3,"invocationId":"7"})") + kRs + R"({"type":6})" + kRs,  // two
           std::string("hello"),
           std::string(R"("result")") + kRs,
       })
    EXPECT_EQ(invocation_completion(answer(200, body), Protocol::Json, "7", 30s), not_completion)
        << body;
}

TEST(UpstreamAnswer, MessagePackCompletion) {
  auto result = protocol::json_to_messagepack(R"({"ok":true})");
  ASSERT_TRUE(result);
  std::string body = protocol::encode_messagepack_completion_result("5", *result);
  EXPECT_EQ(invocation_completion(answer(200, body), Protocol::MessagePack, "5", 30s), body);
  const std::string not_completion = protocol::encode_messagepack_completion_error(
      "5",
      "Invocation failed: the upstream's answer was not a MessagePack completion message "
      "for this invocation.");
  EXPECT_EQ(invocation_completion(answer(200, body + body), Protocol::MessagePack, "5", 30s),
            not_completion);
  EXPECT_EQ(invocation_completion(answer(200, body.substr(1)), Protocol::MessagePack, "5", 30s),
            not_completion);
  EXPECT_EQ(invocation_completion(answer(200, body), Protocol::MessagePack, "6", 30s),
            protocol::encode_messagepack_completion_error(
                "6",
                "Invocation failed: the upstream's answer was not a MessagePack completion "
                "message for this invocation."));
  // A JSON completion is not an answer to a MessagePack client.
  EXPECT_EQ(invocation_completion(answer(200, R"({"type":3,"invocationId":"5"})" + kRs),
                                  Protocol::MessagePack, "5", 30s),
            not_completion);
}

TEST(UpstreamAnswer, EmptyAnswersAndStatuses) {
  EXPECT_EQ(invocation_completion(answer(200), Protocol::Json, "1", 30s),
            protocol::encode_completion_void("1"));
  EXPECT_EQ(invocation_completion(answer(204), Protocol::Json, "1", 30s),
            protocol::encode_completion_void("1"));
  EXPECT_EQ(invocation_completion(answer(204), Protocol::MessagePack, "1", 30s),
            protocol::encode_messagepack_completion_void("1"));
  EXPECT_EQ(invocation_completion(answer(404, "no function"), Protocol::Json, "1", 30s),
            protocol::encode_completion_error("1", "Invocation failed, status code 404"));
  EXPECT_EQ(invocation_completion(answer(202), Protocol::Json, "1", 30s),
            protocol::encode_completion_error("1", "Invocation failed, status code 202"));
  EXPECT_EQ(
      invocation_completion(answer(500), Protocol::MessagePack, "1", 30s),
      protocol::encode_messagepack_completion_error("1", "Invocation failed, status code 500"));
}

TEST(UpstreamAnswer, Failures) {
  EXPECT_EQ(invocation_completion(failed(Reply::Failure::Unreachable), Protocol::Json, "1", 30s),
            protocol::encode_completion_error(
                "1", "Invocation failed, status code 500: the upstream could not be reached."));
  EXPECT_EQ(invocation_completion(failed(Reply::Failure::Timeout), Protocol::Json, "1", 1500ms),
            protocol::encode_completion_error(
                "1",
                "Invocation failed, status code 500: the upstream did not answer within "
                "1.5 s."));
  EXPECT_EQ(invocation_completion(failed(Reply::Failure::TooLarge), Protocol::Json, "1", 30s),
            protocol::encode_completion_error("1", "Invocation failed, response too large."));
}

TEST(UpstreamAnswer, ConnectVerdicts) {
  EXPECT_TRUE(connect_verdict(answer(200), 30s).accepted);
  EXPECT_TRUE(connect_verdict(answer(204), 30s).accepted);
  auto forbidden = connect_verdict(answer(403, "  Banned user.\n"), 30s);
  EXPECT_FALSE(forbidden.accepted);
  EXPECT_EQ(forbidden.reason, "Connection rejected by the upstream, status code 403: Banned user.");
  // A Functions host's answer to a failed connect function: {"error": "<the function's message>"}.
  EXPECT_EQ(connect_verdict(answer(403, R"({"error":"Only members may connect."})"), 30s).reason,
            "Connection rejected by the upstream, status code 403: Only members may connect.");
  EXPECT_EQ(connect_verdict(answer(401, "no"), 30s).reason,
            "Connection rejected by the upstream, status code 401: no.");
  EXPECT_EQ(connect_verdict(answer(500), 30s).reason,
            "Connection rejected by the upstream, status code 500.");
  // A body that is not short, printable text is not quoted.
  EXPECT_EQ(connect_verdict(answer(403, std::string(600, 'x')), 30s).reason,
            "Connection rejected by the upstream, status code 403.");
  EXPECT_EQ(connect_verdict(answer(403, "a\x01z"), 30s).reason,
            "Connection rejected by the upstream, status code 403.");
  EXPECT_EQ(connect_verdict(failed(Reply::Failure::Unreachable), 30s).reason,
            "Connection rejected: the upstream could not be reached.");
  EXPECT_EQ(connect_verdict(failed(Reply::Failure::Timeout), 2s).reason,
            "Connection rejected: the upstream did not answer within 2 s.");
}

}  // namespace
}  // namespace switchboard::upstream
