// The signalRConnectionInfo and signalRNegotiation input bindings: hubName, userId, idToken,
// claimTypeList and the connection setting.
#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"
#include "functions/config/json_file.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

void parse_connection_info(const BindingInput& input, FunctionSpec& fn) {
  const auto& where = input.where;
  const auto& raw = input.binding.raw;
  ConnectionInfoSpec spec;
  spec.name = input.binding.name;
  spec.hub_name = binding_string(raw, "hubName", where);
  if (util::trim(spec.hub_name).empty())
    throw AppError(fmt::format("{}: missing 'hubName'", where));
  spec.user_id = binding_string(raw, "userId", where);
  spec.id_token = binding_string(raw, "idToken", where);
  if (const nlohmann::json* claims = member(raw, "claimTypeList")) {
    if (!claims->is_array())
      throw AppError(fmt::format("{}: 'claimTypeList' must be an array of strings", where));
    for (const auto& c : *claims) {
      if (!c.is_string())
        throw AppError(fmt::format("{}: 'claimTypeList' must be an array of strings", where));
      spec.claim_type_list.push_back(c.get<std::string>());
    }
  }
  spec.connection_string_setting = connection_setting(raw, where);
  spec.negotiation = input.binding.type_lower == "signalrnegotiation";
  if (!fn.disabled)
    check_connection_setting(input.app, input.options, spec.connection_string_setting, where);
  fn.connection_infos.push_back(std::move(spec));
}

}  // namespace switchboard::functions::config
