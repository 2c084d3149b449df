// Unit tests for options from the environment (cli/env_options): the names, that the command line
// wins over the environment, lists for repeated options, and errors naming the variable.
#include "cli/env_options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace switchboard::cli {
namespace {

// Sets environment variables for one test and removes them after it.
class EnvOptions : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& name : set_) ::unsetenv(name.c_str());
  }
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }
  // Parses `args` (after the program name) on `app`.
  static void parse(CLI::App& app, std::vector<std::string> args) {
    std::vector<char*> argv{const_cast<char*>("switchboard")};
    for (auto& arg : args) argv.push_back(arg.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
  }

 private:
  std::vector<std::string> set_;
};

TEST(EnvironmentName, FromLongAndPositionalNames) {
  EXPECT_EQ(environment_name("--max-connections"), "SWITCHBOARD_MAX_CONNECTIONS");
  EXPECT_EQ(environment_name("--tls-cert"), "SWITCHBOARD_TLS_CERT");
  EXPECT_EQ(environment_name("--port"), "SWITCHBOARD_PORT");
  EXPECT_EQ(environment_name("APP_DIR"), "SWITCHBOARD_APP_DIR");
}

TEST_F(EnvOptions, EveryOptionGetsItsVariableButHelp) {
  CLI::App app;
  int port = 0;
  std::string dir;
  app.add_option("--port", port);
  app.add_option("APP_DIR", dir);
  app.add_option("--redis")->envname("SWITCHBOARD_REDIS_KEPT");
  read_options_from_environment(app);
  EXPECT_EQ(app.get_option("--port")->get_envname(), "SWITCHBOARD_PORT");
  EXPECT_EQ(app.get_option("APP_DIR")->get_envname(), "SWITCHBOARD_APP_DIR");
  EXPECT_EQ(app.get_option("--redis")->get_envname(), "SWITCHBOARD_REDIS_KEPT");
  EXPECT_EQ(app.get_help_ptr()->get_envname(), "");
  EXPECT_NE(app.help().find("SWITCHBOARD_PORT"), std::string::npos) << app.help();
}

TEST_F(EnvOptions, TheEnvironmentFillsWhatTheCommandLineLeavesOut) {
  CLI::App app;
  int port = 0;
  double timeout = 0;
  std::string dir;
  app.add_option("--port", port);
  app.add_option("--header-timeout", timeout);
  app.add_option("APP_DIR", dir);
  read_options_from_environment(app);
  set("SWITCHBOARD_PORT", "9000");
  set("SWITCHBOARD_HEADER_TIMEOUT", "2.5");
  set("SWITCHBOARD_APP_DIR", "/srv/app");
  parse(app, {});
  EXPECT_EQ(port, 9000);
  EXPECT_EQ(timeout, 2.5);
  EXPECT_EQ(dir, "/srv/app");
}

TEST_F(EnvOptions, TheCommandLineWins) {
  CLI::App app;
  int port = 0;
  app.add_option("--port", port);
  read_options_from_environment(app);
  set("SWITCHBOARD_PORT", "9000");
  parse(app, {"--port", "9001"});
  EXPECT_EQ(port, 9001);
}

TEST_F(EnvOptions, RepeatedOptionTakesOneValueOrAList) {
  std::vector<std::string> keys;
  {
    CLI::App app;
    app.add_option("--access-key", keys);
    read_options_from_environment(app);
    set("SWITCHBOARD_ACCESS_KEY", "only-key");
    parse(app, {});
    EXPECT_EQ(keys, std::vector<std::string>{"only-key"});
  }
  keys.clear();
  {
    CLI::App app;
    app.add_option("--access-key", keys);
    read_options_from_environment(app);
    set("SWITCHBOARD_ACCESS_KEY", "[new-key,old-key]");
    parse(app, {});
    EXPECT_EQ(keys, (std::vector<std::string>{"new-key", "old-key"}));
  }
}

TEST_F(EnvOptions, FlagFromTheEnvironment) {
  CLI::App app;
  bool rest = false;
  app.add_flag("--rest", rest);
  read_options_from_environment(app);
  set("SWITCHBOARD_REST", "true");
  parse(app, {});
  EXPECT_TRUE(rest);
}

TEST_F(EnvOptions, BadValueFromTheEnvironmentNamesTheVariable) {
  CLI::App app;
  int port = 0;
  int threads = 0;
  app.add_option("--port", port);
  app.add_option("--port-range", threads);
  read_options_from_environment(app);
  set("SWITCHBOARD_PORT", "eighty");
  set("SWITCHBOARD_PORT_RANGE", "3");
  std::vector<char*> argv{const_cast<char*>("switchboard")};
  testing::internal::CaptureStderr();
  int code = 0;
  try {
    app.parse(1, argv.data());
    FAIL() << "a port of 'eighty' was accepted";
  } catch (const CLI::ParseError& e) {
    code = report_parse_error(app, e, 1, argv.data());
  }
  auto printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(code, 0);
  EXPECT_NE(printed.find("--port"), std::string::npos) << printed;
  EXPECT_NE(printed.find("the value comes from the environment: SWITCHBOARD_PORT)"),
            std::string::npos)
      << printed;
  // --port-range was fine: it is not named.
  EXPECT_EQ(printed.find("SWITCHBOARD_PORT_RANGE"), std::string::npos) << printed;
}

TEST_F(EnvOptions, BadValueOnTheCommandLineDoesNotBlameTheEnvironment) {
  CLI::App app;
  int port = 0;
  app.add_option("--port", port);
  read_options_from_environment(app);
  set("SWITCHBOARD_PORT", "9000");
  std::string program = "switchboard", flag = "--port", value = "eighty";
  std::vector<char*> argv{program.data(), flag.data(), value.data()};
  testing::internal::CaptureStderr();
  int code = 0;
  try {
    app.parse(3, argv.data());
    FAIL() << "a port of 'eighty' was accepted";
  } catch (const CLI::ParseError& e) {
    code = report_parse_error(app, e, 3, argv.data());
  }
  auto printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(code, 0);
  EXPECT_NE(printed.find("--port"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("environment"), std::string::npos) << printed;
}

}  // namespace
}  // namespace switchboard::cli
