// The httpTrigger binding: authLevel, methods and route.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "functions/config/binding_parsers.hpp"
#include "functions/config/json_file.hpp"
#include "functions/route_template.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

namespace {

constexpr const char* kHttpMethods[] = {"GET",  "POST",    "PUT",   "DELETE", "PATCH",
                                        "HEAD", "OPTIONS", "TRACE", "CONNECT"};

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

AuthLevel parse_auth_level(const nlohmann::json& level, const std::string& where) {
  std::string text = level.is_string() ? level.get<std::string>() : level.dump();
  if (util::iequals(text, "anonymous")) return AuthLevel::Anonymous;
  if (util::iequals(text, "function")) return AuthLevel::Function;
  if (util::iequals(text, "admin")) return AuthLevel::Admin;
  throw AppError(fmt::format("{}: invalid authLevel '{}' (expected anonymous, function or admin)",
                             where, text));
}

}  // namespace

void parse_http_trigger(const BindingInput& input, FunctionSpec& fn) {
  const auto& where = input.where;
  const auto& raw = input.binding.raw;
  fn.http.binding_name = input.binding.name;
  if (const nlohmann::json* level = member(raw, "authLevel"))
    fn.http.auth_level = parse_auth_level(*level, where);
  if (const nlohmann::json* methods = member(raw, "methods")) {
    if (!methods->is_array())
      throw AppError(fmt::format("{}: 'methods' must be an array of strings", where));
    for (const auto& m : *methods) {
      std::string method = m.is_string() ? to_upper(util::trim(m.get<std::string>())) : m.dump();
      bool known = std::any_of(std::begin(kHttpMethods), std::end(kHttpMethods),
                               [&](const char* k) { return method == k; });
      if (!m.is_string() || !known)
        throw AppError(fmt::format(
            "{}: invalid method '{}' (expected GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, "
            "TRACE or CONNECT)",
            where, m.is_string() ? m.get<std::string>() : method));
      if (std::find(fn.http.methods.begin(), fn.http.methods.end(), method) ==
          fn.http.methods.end())
        fn.http.methods.push_back(method);
    }
  }
  std::string route = binding_string(raw, "route", where);
  if (util::trim(route).empty()) route = fn.name;
  try {
    fn.http.route = RouteTemplate::parse(route).text();
  } catch (const std::invalid_argument& e) {
    throw AppError(fmt::format("{}: invalid route: {}", where, e.what()));
  }
}

}  // namespace switchboard::functions::config
