// The commands that mint tokens with an access key: `token` (a client, REST, dashboard or any
// audience's token) and `dashboard-url` (the dashboard's URL with a token in it).
#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace switchboard::cli {

// Adds both subcommands to `app` (`duration` checks --lifetime). The function returned runs the
// one the command line chose and gives its exit status, or nullopt when neither was chosen.
std::function<std::optional<int>()> add_token_commands(CLI::App& app,
                                                       const CLI::Validator& duration);

}  // namespace switchboard::cli
