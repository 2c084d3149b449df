// host.json: the version (2.0), extensions.http.routePrefix, customHandler (or the legacy
// httpWorker) and functionTimeout.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "functions/app_config.hpp"

namespace switchboard::functions::config {

// Parses host.json; `app` gives the root and the settings for %VAR% expansion in the custom
// handler's paths and arguments. Throws AppError naming `file` and the field.
HostConfig parse_host_json(const nlohmann::json& host, const FunctionApp& app,
                           const std::string& file);

}  // namespace switchboard::functions::config
