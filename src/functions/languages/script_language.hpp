// What the Node and Python workers have in common: a function is theirs when its scriptFile has
// one of their extensions, or, without a scriptFile, when its folder holds their default file
// (index.js, __init__.py), as the Azure Functions host decides.
#pragma once

#include <initializer_list>
#include <string_view>

#include "functions/app_config.hpp"

namespace switchboard::functions {

bool runs_script(const FunctionSpec& function, std::initializer_list<std::string_view> extensions,
                 std::string_view default_file);

}  // namespace switchboard::functions
