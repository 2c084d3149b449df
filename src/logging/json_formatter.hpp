// `--log-format json`: an spdlog formatter that writes each log line as one JSON object on one
// line: {"time": ISO-8601 UTC with milliseconds, "level", "message", then the ScopedLogFields of
// the logging thread (connection_id, hub, user, request_id, function, invocation_id, ...)}.
// Text that is not UTF-8 is repaired (U+FFFD) so that every line parses.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace switchboard::logging {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// `text` as a JSON string literal (quotes included).
std::string json_string(std::string_view text);

// Installs the format on the default logger: "text" (the default) or "json"; false for another
// name.
bool set_log_format(std::string_view format);

}  // namespace switchboard::logging
