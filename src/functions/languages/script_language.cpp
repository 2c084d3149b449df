// See script_language.hpp.
#include "functions/languages/script_language.hpp"

#include <filesystem>

#include "util/text.hpp"

namespace switchboard::functions {

bool runs_script(const FunctionSpec& function, std::initializer_list<std::string_view> extensions,
                 std::string_view default_file) {
  const std::string_view script = function.script_file;
  if (!script.empty()) {
    for (auto extension : extensions)
      if (script.size() >= extension.size() &&
          util::iequals(script.substr(script.size() - extension.size()), extension))
        return true;
    return false;
  }
  std::error_code ec;
  return std::filesystem::exists(function.directory / default_file, ec);
}

}  // namespace switchboard::functions
