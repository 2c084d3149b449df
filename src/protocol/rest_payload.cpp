// Parsing of REST message bodies with simdjson: see rest_payload.hpp.
#include "protocol/rest_payload.hpp"

#include <simdjson.h>

#include "util/url.hpp"

namespace switchboard::protocol {

ParsedRestMessage parse_rest_message(std::string_view body) {
  ParsedRestMessage result;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    result.error =
        std::string("The request body is not valid JSON: ") + simdjson::error_message(error);
    return result;
  }
  simdjson::dom::object object;
  if (root.get(object)) {
    result.error = "The request body must be a JSON object with 'target' and 'arguments'.";
    return result;
  }
  RestMessage message;
  bool have_target = false;
  for (auto field : object) {
    if (util::iequals(field.key, "target")) {
      std::string_view target;
      if (field.value.get(target)) {
        result.error = "The 'target' field must be a string.";
        return result;
      }
      message.target = std::string(target);
      have_target = true;
    } else if (util::iequals(field.key, "arguments")) {
      if (field.value.is_null()) continue;
      if (!field.value.is_array()) {
        result.error = "The 'arguments' field must be an array.";
        return result;
      }
      message.arguments_json = simdjson::minify(field.value);
    }
  }
  if (!have_target || message.target.empty()) {
    result.error = "The 'target' field is required and must not be empty.";
    return result;
  }
  result.message = std::move(message);
  return result;
}

}  // namespace switchboard::protocol
