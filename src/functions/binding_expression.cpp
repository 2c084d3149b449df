// Binding expressions: resolving `%AppSetting%` and `{headers.X}` / `{query.X}` / `{X}` /
// `{sys.randguid}` / `{sys.utcnow}` parts of a binding property against an HTTP request's data.
#include "functions/binding_expression.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <random>

#include "util/json.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i]));
    int cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

namespace {

std::string random_uuid_v4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::array<unsigned char, 16> bytes;
  for (std::size_t i = 0; i < 16; i += 8) {
    std::uint64_t r = rng();
    for (std::size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<unsigned char>(r >> (8 * k));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

// ISO 8601 UTC with milliseconds: 2024-05-01T12:34:56.789Z.
std::string utc_now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms.count()));
}

// A JSON value as binding data text: strings as-is, everything else as minified JSON.
std::string json_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// A top-level body property by case-insensitive name; a dotted name not found as a whole is
// followed through nested objects ("{message.user}"). JSON null counts as absent.
const nlohmann::json* body_property(const nlohmann::json& body, std::string_view name) {
  if (const auto* whole = util::find_member(body, name)) return whole->is_null() ? nullptr : whole;
  auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;
  const auto* outer = util::find_member(body, name.substr(0, dot));
  return outer ? body_property(*outer, name.substr(dot + 1)) : nullptr;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && util::iequals(s.substr(0, prefix.size()), prefix);
}

struct Part {
  std::optional<std::string> value;
  std::string error;
};

Part missing(std::string_view expression, std::string_view why) {
  return {std::nullopt,
          fmt::format("The binding expression '{}' has no value: {}.", expression, why)};
}

Part resolve_braced(std::string_view inner, const BindingData& data) {
  std::string expression = fmt::format("{{{}}}", inner);
  if (starts_with_ci(inner, "headers.")) {
    std::string_view name = inner.substr(8);
    auto it = data.headers.find(name);
    if (it == data.headers.end())
      return missing(expression, fmt::format("the request has no header '{}'", name));
    return {it->second, {}};
  }
  if (starts_with_ci(inner, "query.")) {
    std::string_view name = inner.substr(6);
    auto it = data.query.find(name);
    if (it == data.query.end())
      return missing(expression, fmt::format("the request has no query parameter '{}'", name));
    return {it->second, {}};
  }
  if (util::iequals(inner, "sys.randguid")) return {random_uuid_v4(), {}};
  if (util::iequals(inner, "sys.utcnow")) return {utc_now_iso8601(), {}};
  // Bare name: body property, then query parameter (not `code`), then route parameter; later wins.
  if (auto it = data.route_params.find(inner); it != data.route_params.end())
    return {it->second, {}};
  if (!util::iequals(inner, "code")) {
    if (auto it = data.query.find(inner); it != data.query.end()) return {it->second, {}};
  }
  if (const nlohmann::json* v = body_property(data.body, inner)) return {json_text(*v), {}};
  return missing(expression,
                 fmt::format("no body property, query parameter or route parameter '{}'", inner));
}

}  // namespace

ResolvedExpression resolve_binding_expression(std::string_view text, const BindingData& data) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '{') {
      auto close = text.find('}', i + 1);
      if (close == std::string_view::npos)
        return {std::nullopt,
                fmt::format("The binding expression '{}' is invalid: '{{' without a closing '}}'.",
                            text)};
      std::string_view inner = text.substr(i + 1, close - i - 1);
      if (inner.empty())
        return {std::nullopt,
                fmt::format("The binding expression '{}' is invalid: empty '{{}}'.", text)};
      Part part = resolve_braced(inner, data);
      if (!part.value) return {std::nullopt, std::move(part.error)};
      out += *part.value;
      i = close + 1;
      continue;
    }
    if (c == '%') {
      auto close = text.find('%', i + 1);
      if (close == std::string_view::npos) {  // a lone '%' is literal text
        out.push_back(c);
        ++i;
        continue;
      }
      std::string name(text.substr(i + 1, close - i - 1));
      if (name.empty()) {  // "%%" is a literal '%'
        out.push_back('%');
        i = close + 1;
        continue;
      }
      std::optional<std::string> value;
      if (data.app_setting) value = data.app_setting(name);
      if (!value) {
        return {std::nullopt,
                fmt::format("The binding expression '%{}%' has no value: the app setting '{}' is "
                            "not defined.",
                            name, name)};
      }
      out += *value;
      i = close + 1;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return {std::move(out), {}};
}

}  // namespace switchboard::functions
