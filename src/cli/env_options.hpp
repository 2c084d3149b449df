// Options from the environment: every option of a command can be given as SWITCHBOARD_<OPTION>
// (--max-connections: SWITCHBOARD_MAX_CONNECTIONS), the form an environment file (systemd's
// EnvironmentFile=, docker run --env-file) gives them in. A flag on the command line wins.
#pragma once

#include <string>
#include <string_view>

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace switchboard::cli {

// SWITCHBOARD_ and the option's name in upper case, '-' as '_': "--tls-cert" ->
// SWITCHBOARD_TLS_CERT, "APP_DIR" -> SWITCHBOARD_APP_DIR.
std::string environment_name(std::string_view option_name);

// Gives each option of `command` (not of its subcommands; not --help) that has none its
// environment_name(); --help then lists it. An option that repeats (--access-key) takes one
// value from its variable, or several written as a list: [key1,key2].
void read_options_from_environment(CLI::App& command);

// Prints a parse error as CLI11 does, naming the environment variable the bad value came from
// when it came from one (not from the command line), and returns the exit code.
int report_parse_error(CLI::App& app, const CLI::ParseError& error, int argc, char** argv);

}  // namespace switchboard::cli
