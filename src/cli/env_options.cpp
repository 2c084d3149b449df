// Options from the environment: see env_options.hpp.
#include "cli/env_options.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>

namespace switchboard::cli {

namespace {

// The name an option is known by in messages: its first long name (with --), else its
// positional name.
std::string display_name(const CLI::Option& option) {
  if (!option.get_lnames().empty()) return "--" + option.get_lnames().front();
  return option.get_name(true, false);
}

// Is `name` in `text` as a whole word (not the start of a longer option name)?
bool names_option(std::string_view text, std::string_view name) {
  for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    auto end = at + name.size();
    bool whole = end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) ||
                                         text[end] == '-' || text[end] == '_');
    if (whole) return true;
  }
  return false;
}

bool given_on_command_line(std::string_view name, int argc, char** argv) {
  if (name.rfind("--", 0) != 0) return false;  // a positional: assume the environment's
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == name ||
        (arg.rfind(name, 0) == 0 && arg.size() > name.size() && arg[name.size()] == '='))
      return true;
  }
  return false;
}

void collect_options(CLI::App& app, std::vector<CLI::Option*>& out) {
  auto options = app.get_options([](CLI::Option*) { return true; });
  out.insert(out.end(), options.begin(), options.end());
  for (auto* sub : app.get_subcommands([](CLI::App*) { return true; })) collect_options(*sub, out);
}

}  // namespace

std::string environment_name(std::string_view option_name) {
  while (!option_name.empty() && option_name.front() == '-') option_name.remove_prefix(1);
  std::string name = "SWITCHBOARD_";
  for (char c : option_name)
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

void read_options_from_environment(CLI::App& command) {
  for (auto* option : command.get_options([](CLI::Option*) { return true; })) {
    if (option == command.get_help_ptr() || option == command.get_help_all_ptr()) continue;
    if (!option->get_envname().empty()) continue;
    option->envname(environment_name(display_name(*option)));
  }
}

int report_parse_error(CLI::App& app, const CLI::ParseError& error, int argc, char** argv) {
  if (error.get_exit_code() == 0) return app.exit(error);  // --help
  std::string message = error.what();
  std::string sources;
  std::vector<CLI::Option*> options;
  collect_options(app, options);
  for (auto* option : options) {
    const auto& variable = option->get_envname();
    if (variable.empty() || !std::getenv(variable.c_str())) continue;
    auto name = display_name(*option);
    if (!names_option(message, name) || given_on_command_line(name, argc, argv)) continue;
    if (sources.find(variable) != std::string::npos) continue;  // the same option in two commands
    sources += (sources.empty() ? "" : ", ") + variable;
  }
  std::cerr << message;
  if (!sources.empty()) std::cerr << " (the value comes from the environment: " << sources << ")";
  std::cerr << "\nRun with --help for more information.\n";
  return error.get_exit_code();
}

}  // namespace switchboard::cli
