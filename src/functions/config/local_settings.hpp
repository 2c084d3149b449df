// local.settings.json: Values (app settings), ConnectionStrings and the Host section (port, CORS).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "functions/app_config.hpp"

namespace switchboard::functions::config {

// Throws AppError naming `file` and the field.
LocalSettings parse_local_settings(const nlohmann::json& doc, const std::string& file);

}  // namespace switchboard::functions::config
