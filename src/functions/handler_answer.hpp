// What a custom handler or a language worker answers an invocation with (the custom-handler
// payload protocol): a 2xx body that is a JSON object {Outputs, Logs, ReturnValue} (keys in any
// case), or a failure whose body is the language workers' {"error", "message", "Logs"} or any
// text. Pure: the invoker (runtime/custom_handler) sends the request and reads these.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::functions {

struct HandlerAnswer {
  nlohmann::json outputs = nlohmann::json::object();  // by binding name
  nlohmann::json return_value;                        // null when none
  std::vector<std::string> logs;
};

// A 2xx answer's body; nullopt when it is not a JSON object. Outputs that are not an object and
// Logs that are not an array are ignored; a log line that is not a string is kept as its JSON.
std::optional<HandlerAnswer> read_handler_answer(std::string_view body);

struct HandlerFailure {
  std::string detail;             // the "error" member, else the whole body
  std::string message;            // what the caller is told: "message", else the detail, else
                                  // "The function failed with status N."
  std::vector<std::string> logs;  // the "Logs" member's lines
};

// A non-2xx answer (`status`) and its body.
HandlerFailure read_handler_failure(int status, std::string_view body);

}  // namespace switchboard::functions
