// Log lines about one client connection: written with the connection's id, hub and user as log
// fields (logging/log_fields), which the JSON log format writes as keys.
#pragma once

#include <spdlog/spdlog.h>

#include <utility>

#include "hubs/client_connection.hpp"
#include "logging/log_fields.hpp"

namespace switchboard::service {

template <typename... Args>
void connection_log(const hubs::ClientConnection& connection, spdlog::level::level_enum level,
                    fmt::format_string<Args...> format, Args&&... args) {
  if (!spdlog::should_log(level)) return;
  logging::ScopedLogFields fields{
      {"connection_id", connection.id()}, {"hub", connection.hub()}, {"user", connection.user()}};
  spdlog::log(level, format, std::forward<Args>(args)...);
}

}  // namespace switchboard::service
