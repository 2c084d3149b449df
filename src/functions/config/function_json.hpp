// <function>/function.json: disabled, scriptFile, entryPoint and the bindings, each checked for
// what every binding has and then parsed by the parser of its type (binding_parsers.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "functions/app_config.hpp"

namespace switchboard::functions::config {

// `file` names the function in error messages (a path, or "function 'x' (declared in code)").
FunctionSpec parse_function(const FunctionApp& app, const std::string& name,
                            const nlohmann::json& doc, const std::string& file,
                            const LoadOptions& options);

}  // namespace switchboard::functions::config
