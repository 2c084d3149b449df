// JSON log lines: see json_formatter.hpp.
#include "logging/json_formatter.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "logging/log_fields.hpp"
#include "protocol/json_hub_protocol.hpp"

namespace switchboard::logging {

namespace {

// One JSON string writer for the whole program (U+FFFD for bytes that are not UTF-8, every control
// character escaped): the hub protocol's.
void append_json_string(std::string_view text, std::string& out) {
  protocol::append_json_string(out, text);
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(text, out);
  return out;
}

void JsonFormatter::format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) {
  using namespace std::chrono;
  const auto time = time_point_cast<milliseconds>(message.time);
  const auto seconds = time_point_cast<std::chrono::seconds>(time);
  const auto millis = (time - seconds).count();
  std::string line;
  line.reserve(message.payload.size() + 128);
  fmt::format_to(std::back_inserter(line), "{{\"time\":\"{:%Y-%m-%dT%H:%M:%S}.{:03}Z\",\"level\":",
                 fmt::gmtime(system_clock::to_time_t(seconds)), millis);
  const auto level = spdlog::level::to_string_view(message.level);
  append_json_string(std::string_view(level.data(), level.size()), line);
  line += ",\"message\":";
  append_json_string(std::string_view(message.payload.data(), message.payload.size()), line);
  for (const auto& [key, value] : current_log_fields()) {
    if (value.empty()) continue;
    line += ',';
    append_json_string(key, line);
    line += ':';
    append_json_string(value, line);
  }
  line += "}\n";
  out.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>();
}

bool set_log_format(std::string_view format) {
  if (format == "text") {
    spdlog::set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    return true;
  }
  if (format == "json") {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
    return true;
  }
  return false;
}

}  // namespace switchboard::logging
