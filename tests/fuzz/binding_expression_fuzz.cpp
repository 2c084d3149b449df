// Feeds functions/binding_expression's resolve_binding_expression a binding property's text
// (hubName, userId, idToken: `%AppSetting%`, `{headers.NAME}`, `{query.NAME}`, `{NAME}`,
// `{sys.randguid}`, `{sys.utcnow}` mixed with literal text) against a request's data. The input is
// "expression\nJSON body\nheader value\nquery value". An expression resolves to a value or to an
// error naming what is missing, never both.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "functions/binding_expression.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = fuzz::fields(fuzz::bytes(data, size), 4);
  functions::BindingData binding;
  binding.headers = {{"x-ms-client-principal-id", "alice"}, {"X-Room", std::string(parts[2])}};
  binding.query = {{"id", std::string(parts[3])}, {"userid", "bob"}};
  binding.route_params = {{"room", "lobby"}};
  binding.body = nlohmann::json::parse(parts[1], nullptr, false);
  if (binding.body.is_discarded()) binding.body = nullptr;
  binding.app_setting = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HUB_NAME") return "chat";
    return std::nullopt;
  };
  auto resolved = functions::resolve_binding_expression(parts[0], binding);
  FUZZ_CHECK(resolved.value.has_value() == resolved.error.empty(), "a value or an error");
  return 0;
}
