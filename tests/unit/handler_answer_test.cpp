// Unit tests for reading custom handlers' and language workers' answers (functions/handler_answer):
// outputs, logs and the return value of a 2xx answer (keys in any case), and what a failure says.
#include "functions/handler_answer.hpp"

#include <gtest/gtest.h>

namespace switchboard::functions {
namespace {

TEST(HandlerAnswer, ReadsOutputsLogsAndReturnValue) {
  auto answer = read_handler_answer(
      R"({"outputs":{"res":{"statusCode":201}},"LOGS":["one",{"n":2}],"returnValue":[1]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->outputs, nlohmann::json::parse(R"({"res":{"statusCode":201}})"));
  EXPECT_EQ(answer->logs, (std::vector<std::string>{"one", R"({"n":2})"}));
  EXPECT_EQ(answer->return_value, nlohmann::json::parse("[1]"));
}

TEST(HandlerAnswer, IgnoresMembersOfTheWrongType) {
  auto answer = read_handler_answer(R"({"Outputs":[1],"Logs":"x"})");
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->outputs.is_object() && answer->outputs.empty());
  EXPECT_TRUE(answer->logs.empty());
  EXPECT_TRUE(answer->return_value.is_null());
}

TEST(HandlerAnswer, RefusesWhatIsNotAnObject) {
  EXPECT_FALSE(read_handler_answer(""));
  EXPECT_FALSE(read_handler_answer("[1]"));
  EXPECT_FALSE(read_handler_answer("{\"a\":"));
  EXPECT_FALSE(read_handler_answer("{\"a\":\"\xff\"}"));  // not UTF-8
}

TEST(HandlerAnswer, FailureOfALanguageWorker) {
  auto failure = read_handler_failure(
      500, R"({"error":"TypeError: x is undefined","message":"x is undefined","Logs":["a"]})");
  EXPECT_EQ(failure.detail, "TypeError: x is undefined");
  EXPECT_EQ(failure.message, "x is undefined");
  EXPECT_EQ(failure.logs, std::vector<std::string>{"a"});
}

TEST(HandlerAnswer, FailureOfACustomHandler) {
  auto failure = read_handler_failure(502, "bad gateway");
  EXPECT_EQ(failure.detail, "bad gateway");
  EXPECT_EQ(failure.message, "bad gateway");
  EXPECT_EQ(read_handler_failure(500, "").message, "The function failed with status 500.");
  EXPECT_EQ(read_handler_failure(500, R"({"error":7})").detail, R"({"error":7})");
}

}  // namespace
}  // namespace switchboard::functions
