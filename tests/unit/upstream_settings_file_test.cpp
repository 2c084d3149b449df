// Unit tests for upstream settings files: the accepted shapes (array, "templates", ARM's
// "upstream", the emulator's "UpstreamSettings"), defaults, and errors naming file, index, field.
#include "upstream/settings_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace switchboard::upstream {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_settings(text, "up.json");
  } catch (const SettingsError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(UpstreamSettingsFile, ArrayWithAzureFields) {
  auto templates = parse_settings(R"([
    {"urlTemplate": "http://a/{event}", "hubPattern": "chat, lobby", "categoryPattern": "messages",
     "eventPattern": "send", "auth": {"type": "None"}},
    {"UrlTemplate": "http://b/"}
  ])",
                                  "up.json");
  ASSERT_EQ(templates.size(), 2u);
  EXPECT_EQ(templates[0].url_template, "http://a/{event}");
  EXPECT_TRUE(templates[0].hub_pattern.matches("LOBBY"));
  EXPECT_FALSE(templates[0].hub_pattern.matches("news"));
  EXPECT_TRUE(templates[0].category_pattern.matches("messages"));
  EXPECT_FALSE(templates[0].category_pattern.matches("connections"));
  EXPECT_TRUE(templates[0].event_pattern.matches("send"));
  EXPECT_TRUE(templates[1].hub_pattern.any());
  EXPECT_TRUE(templates[1].category_pattern.any());
  EXPECT_TRUE(templates[1].event_pattern.any());
}

TEST(UpstreamSettingsFile, OtherShapes) {
  EXPECT_EQ(parse_settings(R"({"templates":[{"urlTemplate":"http://a/"}]})", "f").size(), 1u);
  EXPECT_EQ(
      parse_settings(R"({"upstream":{"templates":[{"urlTemplate":"http://a/"}]}})", "f").size(),
      1u);
  auto emulator = parse_settings(R"({"UpstreamSettings":{"Templates":[
      {"UrlTemplate":"http://localhost:7071/runtime/webhooks/signalr","EventPattern":"*",
       "CategoryPattern":"*","HubPattern":"*"}]}})",
                                 "settings.json");
  ASSERT_EQ(emulator.size(), 1u);
  EXPECT_EQ(emulator[0].url_template, "http://localhost:7071/runtime/webhooks/signalr");
}

TEST(UpstreamSettingsFile, ErrorsNameFileIndexAndField) {
  EXPECT_EQ(error_of("[{\"urlTemplate\": \"http://a/\"}, {\"hubPattern\": \"chat\"}]"),
            "upstream settings up.json: templates[1].urlTemplate: is required");
  EXPECT_EQ(error_of(R"([{"urlTemplate": 7}])"),
            "upstream settings up.json: templates[0].urlTemplate: must be a string, not number");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "localhost:7071/x"}])"),
            "upstream settings up.json: templates[0].urlTemplate: 'localhost:7071/x' must be an "
            "http:// or https:// URL");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "http://a/{user}"}])"),
            "upstream settings up.json: templates[0].urlTemplate: 'http://a/{user}' has the "
            "unknown placeholder '{user}' (known: {hub}, {category}, {event})");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "http://a/", "eventPattern": ["a"]}])"),
            "upstream settings up.json: templates[0].eventPattern: must be a string (a pattern: "
            "*, a name or a comma-separated list), not array");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "http://a/", "hubPattern": " , "}])"),
            "upstream settings up.json: templates[0].hubPattern: ' , ' names nothing");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "http://a/", "hubpatern": "chat"}])"),
            "upstream settings up.json: templates[0]: unknown field 'hubpatern' (known: "
            "urlTemplate, hubPattern, categoryPattern, eventPattern, auth)");
  EXPECT_EQ(error_of(R"([{"urlTemplate": "http://a/", "auth": {"type": "ManagedIdentity"}}])"),
            "upstream settings up.json: templates[0].auth.type: ManagedIdentity is not supported "
            "(Switchboard signs upstream requests with X-ASRS-Signature; use \"None\")");
  EXPECT_EQ(error_of(R"(["http://a/"])"),
            "upstream settings up.json: templates[0]: must be an object, not string");
  EXPECT_EQ(error_of("[]"),
            "upstream settings up.json: templates: is empty: give at least one "
            "template");
  EXPECT_EQ(error_of(R"({"templates": {}})"),
            "upstream settings up.json: templates: must be an array, not object");
  EXPECT_EQ(error_of(R"({"UpstreamSettings": {"Templates": 1}})"),
            "upstream settings up.json: UpstreamSettings.Templates: must be an array, not number");
  EXPECT_EQ(error_of(R"({"urls": []})"),
            "upstream settings up.json: has no templates (expected a JSON array, \"templates\", "
            "\"upstream\": {\"templates\"} or \"UpstreamSettings\": {\"Templates\"})");
  EXPECT_EQ(error_of("42"),
            "upstream settings up.json: must be a JSON array of templates, or an object with "
            "\"templates\", not number");
  EXPECT_TRUE(error_of("[{").starts_with("upstream settings up.json: is not valid JSON: "));
  // Found by the upstream_settings fuzz target: a number too large for a double escaped as
  // nlohmann's out_of_range instead of this error.
  EXPECT_TRUE(error_of(R"([{"urlTemplate": 6e77777}])")
                  .starts_with("upstream settings up.json: is not valid JSON: "))
      << error_of(R"([{"urlTemplate": 6e77777}])");
}

TEST(UpstreamSettingsFile, Files) {
  auto dir = std::filesystem::temp_directory_path() /
             ("sb-upstream-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  auto file = dir / "up.json";
  std::ofstream(file) << R"([{"urlTemplate": "http://a/"}])";
  EXPECT_EQ(load_settings_file(file).size(), 1u);
  try {
    load_settings_file(dir / "missing.json");
    FAIL() << "no error for a missing file";
  } catch (const SettingsError& e) {
    EXPECT_EQ(std::string(e.what()),
              "upstream settings " + (dir / "missing.json").string() + ": no such file");
  }
  try {
    load_settings_file(dir);
    FAIL() << "no error for a directory";
  } catch (const SettingsError& e) {
    EXPECT_EQ(std::string(e.what()),
              "upstream settings " + dir.string() + ": is not a regular file");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace switchboard::upstream
