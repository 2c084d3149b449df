// The http output binding: the HTTP response of an httpTrigger function ("res" or "$return").
#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"

namespace switchboard::functions::config {

void parse_http_output(const BindingInput& input, FunctionSpec& fn) {
  if (fn.http_output)
    throw AppError(fmt::format("{}: a function can have only one http output", input.where));
  fn.http_output = input.binding.name;
}

}  // namespace switchboard::functions::config
