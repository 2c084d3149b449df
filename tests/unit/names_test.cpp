// Unit tests for hub, application, group, user and connection name validation.
#include "protocol/names.hpp"

#include <gtest/gtest.h>

namespace switchboard::protocol {
namespace {

TEST(Names, ValidHubNames) {
  for (const char* hub : {"chat", "Chat", "c", "a1_`,.[]", "Z9", "myHub_v2.0"}) {
    EXPECT_EQ(validate_hub_name(hub), "") << hub;
    EXPECT_EQ(validate_application_name(hub), "") << hub;
  }
  EXPECT_EQ(validate_hub_name(std::string(128, 'h')), "");
}

TEST(Names, InvalidHubNames) {
  EXPECT_EQ(validate_hub_name("1chat"),
            "Invalid hub name '1chat': must start with a letter and contain only letters, digits "
            "and _`,.[] (1 to 128 characters)");
  EXPECT_EQ(validate_application_name("my app"),
            "Invalid application name 'my app': must start with a letter and contain only "
            "letters, digits and _`,.[] (1 to 128 characters)");
  for (const char* hub : {"", "_chat", "chat-room", "chat room", "chat/x", "chat?", "\xc3\xa9t",
                          "ch\xc3\xa9t", "chat\n"}) {
    EXPECT_NE(validate_hub_name(hub), "") << hub;
  }
  EXPECT_NE(validate_hub_name(std::string(129, 'h')), "");
}

TEST(Names, GroupNames) {
  EXPECT_EQ(validate_group_name("g"), "");
  EXPECT_EQ(validate_group_name(" group with spaces / and: symbols "), "");
  EXPECT_EQ(validate_group_name(std::string(1024, 'g')), "");
  // Length counts characters, not bytes: 1024 two-byte characters are fine.
  std::string accented;
  for (int i = 0; i < 1024; ++i) accented += "\xc3\xa9";
  EXPECT_EQ(validate_group_name(accented), "");
  const std::string message =
      "Invalid group name: must be 1 to 1024 characters and not only whitespace";
  EXPECT_EQ(validate_group_name(std::string(1025, 'g')), message);
  EXPECT_EQ(validate_group_name(accented + "x"), message);
  EXPECT_EQ(validate_group_name(""), message);
  EXPECT_EQ(validate_group_name("   "), message);
  EXPECT_EQ(validate_group_name(" \t\n"), message);
}

TEST(Names, UserIds) {
  EXPECT_EQ(validate_user_id("u"), "");
  EXPECT_EQ(validate_user_id(" "), "");
  EXPECT_EQ(validate_user_id(std::string(1024, 'u')), "");
  EXPECT_EQ(validate_user_id(""), "Invalid user id: must be 1 to 1024 characters");
  EXPECT_EQ(validate_user_id(std::string(1025, 'u')),
            "Invalid user id: must be 1 to 1024 characters");
}

TEST(Names, ConnectionIds) {
  EXPECT_EQ(validate_connection_id("x"), "");
  EXPECT_EQ(validate_connection_id(""), "Invalid connection id: must not be empty");
}

TEST(Names, ToLower) {
  EXPECT_EQ(to_lower("ChAt_Hub.1"), "chat_hub.1");
  EXPECT_EQ(to_lower("\xc3\x89"), "\xc3\x89");  // ASCII only
  EXPECT_EQ(to_lower(""), "");
}

}  // namespace
}  // namespace switchboard::protocol
