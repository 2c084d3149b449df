// See http_invocation.hpp.
#include "functions/runtime/http_invocation.hpp"

#include "auth/crypto.hpp"
#include "functions/http_body.hpp"
#include "functions/output_values.hpp"
#include "functions/runtime/wall_clock.hpp"
#include "util/json.hpp"

namespace switchboard::functions {

namespace http = net::http;

namespace {

const char* kPrincipalHeaders[] = {"x-ms-client-principal", "x-ms-client-principal-id",
                                   "x-ms-client-principal-name", "x-ms-client-principal-idp"};

// The token's claims as App Service writes x-ms-client-principal: {typ, val} pairs.
nlohmann::json principal_json(const nlohmann::json& claims) {
  nlohmann::json principal = {{"auth_typ", "Bearer"},
                              {"name_typ", "name"},
                              {"role_typ", "roles"},
                              {"claims", nlohmann::json::array()}};
  for (auto it = claims.begin(); it != claims.end(); ++it) {
    auto add = [&](const auto& v) {
      principal["claims"].push_back(
          {{"typ", it.key()}, {"val", v.is_string() ? v.template get<std::string>() : v.dump()}});
    };
    if (it->is_array())
      for (const auto& v : *it) add(v);
    else
      add(*it);
  }
  return principal;
}

}  // namespace

std::optional<std::string> apply_identity(net::Request& request,
                                          const auth::IdentitySettings& identity,
                                          std::int64_t now) {
  for (const char* name : kPrincipalHeaders) request.erase(name);
  if (!identity.enabled()) return std::nullopt;
  std::string_view bearer = net::bearer_token(request);
  if (bearer.empty()) return std::nullopt;
  auto verified = auth::verify_identity_token(bearer, identity, now);
  if (!verified.identity) return verified.error;
  const auto& id = *verified.identity;
  request.set("x-ms-client-principal-id", id.user_id);
  request.set("x-ms-client-principal-name", id.name);
  request.set("x-ms-client-principal-idp", "switchboard");
  request.set("x-ms-client-principal", auth::base64_encode(principal_json(id.claims).dump()));
  return std::nullopt;
}

HttpTriggerInput http_trigger_input(const net::Request& request, const util::Target& target,
                                    const std::map<std::string, std::string>& params,
                                    const std::string& base_url, const FunctionSpec& function,
                                    const std::string& invocation_id) {
  HttpTriggerInput input;
  BindingData& data = input.data;
  nlohmann::json headers_json = nlohmann::json::object();
  nlohmann::json metadata_headers = nlohmann::json::object();
  for (const auto& field : request) {
    std::string name(field.name_string());
    std::string value(field.value());
    auto& joined = data.headers[name];
    joined = joined.empty() ? value : joined + "," + value;
    headers_json[name].push_back(value);
  }
  for (const auto& [k, v] : data.headers) metadata_headers[k] = v;
  nlohmann::json query_json = nlohmann::json::object();
  for (const auto& [k, v] : target.query) {
    auto& joined = data.query[k];
    joined = joined.empty() ? v : joined + "," + v;
  }
  for (const auto& [k, v] : data.query) query_json[k] = v;
  nlohmann::json params_json = nlohmann::json::object();
  for (const auto& [k, v] : params) {
    data.route_params[k] = v;
    params_json[k] = v;
  }
  data.body = nlohmann::json::parse(request.body(), nullptr, false);
  if (data.body.is_discarded()) data.body = nullptr;

  input.request = {{"Url", base_url + std::string(request.target())},
                   {"Method", std::string(request.method_string())},
                   {"Query", query_json},
                   {"Headers", headers_json},
                   {"Identities", nlohmann::json::array()}};
  if (!params_json.empty()) input.request["Params"] = params_json;
  set_request_body(input.request, request.body(), request[http::field::content_type]);
  input.metadata = {
      {"headers", metadata_headers},
      {"query", query_json},
      {"sys",
       {{"MethodName", function.name}, {"UtcNow", utc_now_iso()}, {"RandGuid", invocation_id}}}};
  for (auto it = params_json.begin(); it != params_json.end(); ++it)
    input.metadata[it.key()] = it.value();
  return input;
}

nlohmann::json output_value(const InvocationResult& result, const std::string& binding_name) {
  if (binding_name == "$return") return result.return_value;
  const auto* value = util::find_member(result.outputs, binding_name);
  return value ? *value : nlohmann::json();
}

net::Response http_answer(const FunctionSpec& function, const InvocationResult& result) {
  if (!function.http_output) return net::make_response(http::status::no_content);
  HttpResponseValue value;
  try {
    value = http_response_from_value(output_value(result, *function.http_output));
  } catch (const std::invalid_argument& e) {
    throw InvocationError(500,
                          "Function '" + function.name + "': invalid HTTP response: " + e.what());
  }
  net::Response response{static_cast<http::status>(value.status), 11};
  for (const auto& [name, v] : value.headers) response.set(name, v);
  if (!value.content_type.empty()) response.set(http::field::content_type, value.content_type);
  response.body() = std::move(value.body);
  return response;
}

}  // namespace switchboard::functions
