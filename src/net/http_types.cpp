// Response builders and header helpers: see http_types.hpp.
#include "net/http_types.hpp"

#include "protocol/json_hub_protocol.hpp"
#include "util/url.hpp"

namespace switchboard::net {

Response make_response(http::status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(http::field::server, kServerName);
  if (!body.empty()) {
    response.set(http::field::content_type, content_type);
  }
  response.body() = std::move(body);
  return response;
}

Response make_error(http::status status, std::string_view code, std::string_view message) {
  std::string body = "{\"code\":";
  protocol::append_json_string(body, code);
  body += ",\"message\":";
  protocol::append_json_string(body, message);
  body += "}";
  return make_response(status, std::move(body), "application/json; charset=utf-8");
}

std::optional<std::string_view> field_value(const Request& request, http::field name) {
  for (const auto& field : request)
    if (field.name() == name) return std::string_view(field.value());
  return std::nullopt;
}

std::optional<std::string_view> field_value(const Request& request, std::string_view name) {
  for (const auto& field : request)
    if (util::iequals(field.name_string(), name)) return std::string_view(field.value());
  return std::nullopt;
}

std::string_view bearer_token(const Request& request) {
  return bearer_token_in(field_value(request, http::field::authorization));
}

std::string_view bearer_token_in(std::optional<std::string_view> authorization) {
  std::string_view value = authorization.value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || !util::iequals(value.substr(0, kBearer.size()), kBearer))
    return {};
  value.remove_prefix(kBearer.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

}  // namespace switchboard::net
