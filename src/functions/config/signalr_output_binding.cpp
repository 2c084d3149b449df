// The signalR output binding: hubName (a binding expression) and the connection setting.
#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

void parse_signalr_output(const BindingInput& input, FunctionSpec& fn) {
  const auto& where = input.where;
  SignalROutputSpec spec;
  spec.name = input.binding.name;
  spec.hub_name = binding_string(input.binding.raw, "hubName", where);
  if (util::trim(spec.hub_name).empty())
    throw AppError(fmt::format("{}: missing 'hubName'", where));
  spec.connection_string_setting = connection_setting(input.binding.raw, where);
  if (!fn.disabled)
    check_connection_setting(input.app, input.options, spec.connection_string_setting, where);
  fn.signalr_outputs.push_back(std::move(spec));
}

}  // namespace switchboard::functions::config
