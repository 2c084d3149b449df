// Reading custom handlers' and language workers' answers: see handler_answer.hpp.
#include "functions/handler_answer.hpp"

#include "util/json.hpp"

namespace switchboard::functions {
namespace {

std::vector<std::string> log_lines(const nlohmann::json& object) {
  std::vector<std::string> lines;
  if (const auto* logs = util::find_member(object, "Logs"); logs && logs->is_array())
    for (const auto& line : *logs)
      lines.push_back(line.is_string() ? line.get<std::string>() : line.dump());
  return lines;
}

}  // namespace

std::optional<HandlerAnswer> read_handler_answer(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  HandlerAnswer answer;
  if (const auto* outputs = util::find_member(json, "Outputs"); outputs && outputs->is_object())
    answer.outputs = *outputs;
  answer.logs = log_lines(json);
  if (const auto* value = util::find_member(json, "ReturnValue")) answer.return_value = *value;
  return answer;
}

HandlerFailure read_handler_failure(int status, std::string_view body) {
  HandlerFailure failure;
  failure.detail = std::string(body);
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    failure.logs = log_lines(json);
    if (const auto* error = util::find_member(json, "error"); error && error->is_string())
      failure.detail = error->get<std::string>();
    if (const auto* text = util::find_member(json, "message"); text && text->is_string())
      failure.message = text->get<std::string>();
  }
  if (failure.message.empty())
    failure.message = failure.detail.empty()
                          ? "The function failed with status " + std::to_string(status) + "."
                          : failure.detail;
  return failure;
}

}  // namespace switchboard::functions
