// HTTP trigger route templates: parsing ASP.NET-style templates and matching request paths
// against them (literal segments, parameters, defaults, catch-alls and inline constraints).
#include "functions/route_template.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "util/url.hpp"

namespace switchboard::functions {

namespace {

using util::iequals;

std::string_view trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// Splits on `sep` outside parentheses (constraint arguments may hold ':' or '=').
std::vector<std::string_view> split_outside_parens(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && depth > 0) --depth;
    if (s[i] == sep && depth == 0) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

template <typename Int>
std::optional<Int> parse_integer(std::string_view s) {
  if (s.empty()) return std::nullopt;
  Int value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Optional '-' then digits (no '+', no spaces), within the range of Int.
template <typename Int>
bool is_integer(std::string_view s) {
  std::string_view digits = s.size() > 0 && s[0] == '-' ? s.substr(1) : s;
  return all_digits(digits) && parse_integer<Int>(s).has_value();
}

// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
bool is_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool is_guid(std::string_view s) {
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  std::size_t i = 0;
  for (int g = 0; g < 5; ++g) {
    if (g > 0) {
      if (i >= s.size() || s[i] != '-') return false;
      ++i;
    }
    for (int k = 0; k < kGroups[g]; ++k, ++i)
      if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return i == s.size();
}

// Reads exactly `n` digits at `i` into `out`.
bool read_digits(std::string_view s, std::size_t& i, int n, int& out) {
  out = 0;
  for (int k = 0; k < n; ++k, ++i) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// A loose ISO 8601 date: YYYY-MM-DD, optionally followed by 'T' or ' ' and hh:mm[:ss[.f+]], then
// optionally 'Z' or ±hh:mm.
bool is_datetime(std::string_view s) {
  std::size_t i = 0;
  int year, month, day;
  if (!read_digits(s, i, 4, year) || i >= s.size() || s[i++] != '-') return false;
  if (!read_digits(s, i, 2, month) || i >= s.size() || s[i++] != '-') return false;
  if (!read_digits(s, i, 2, day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (i == s.size()) return true;
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  ++i;
  int hour, minute, second;
  if (!read_digits(s, i, 2, hour) || i >= s.size() || s[i++] != ':') return false;
  if (!read_digits(s, i, 2, minute)) return false;
  if (hour > 23 || minute > 59) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!read_digits(s, i, 2, second) || second > 60) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      std::size_t digits = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
      if (digits == 0) return false;
    }
  }
  if (i == s.size()) return true;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  ++i;
  int off_h, off_m;
  if (!read_digits(s, i, 2, off_h) || i >= s.size() || s[i++] != ':') return false;
  if (!read_digits(s, i, 2, off_m)) return false;
  return i == s.size() && off_h <= 14 && off_m <= 59;
}

// Length in characters (UTF-8 code points), as .NET counts a string's length closely enough.
std::size_t char_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool is_letters(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c))) return false;
  return true;
}

struct ConstraintInfo {
  const char* name;
  int min_args;
  int max_args;
};

constexpr ConstraintInfo kConstraints[] = {
    {"int", 0, 0},      {"long", 0, 0},      {"alpha", 0, 0},     {"bool", 0, 0},
    {"guid", 0, 0},     {"double", 0, 0},    {"float", 0, 0},     {"decimal", 0, 0},
    {"datetime", 0, 0}, {"minlength", 1, 1}, {"maxlength", 1, 1}, {"length", 1, 2},
    {"min", 1, 1},      {"max", 1, 1},       {"range", 2, 2},
};

bool satisfies(const RouteTemplate::Constraint& c, std::string_view value) {
  const std::string& k = c.kind;
  auto arg = [&](std::size_t i) { return *parse_integer<std::int64_t>(c.args[i]); };
  if (k == "int") return is_integer<std::int32_t>(value);
  if (k == "long") return is_integer<std::int64_t>(value);
  if (k == "alpha") return is_letters(value);
  if (k == "bool") return iequals(value, "true") || iequals(value, "false");
  if (k == "guid") return is_guid(value);
  if (k == "double" || k == "float" || k == "decimal") return is_number(value);
  if (k == "datetime") return is_datetime(value);
  auto length = static_cast<std::int64_t>(char_length(value));
  if (k == "minlength") return length >= arg(0);
  if (k == "maxlength") return length <= arg(0);
  if (k == "length")
    return c.args.size() == 1 ? length == arg(0) : length >= arg(0) && length <= arg(1);
  if (k == "min" || k == "max" || k == "range") {
    if (!is_integer<std::int64_t>(value)) return false;
    auto n = *parse_integer<std::int64_t>(value);
    if (k == "min") return n >= arg(0);
    if (k == "max") return n <= arg(0);
    return n >= arg(0) && n <= arg(1);
  }
  return false;
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw std::invalid_argument(fmt::format("route template '{}': {}", text, why));
}

RouteTemplate::Constraint parse_constraint(std::string_view text, std::string_view param,
                                           std::string_view spec) {
  RouteTemplate::Constraint c;
  auto open = spec.find('(');
  std::string_view kind = spec.substr(0, open);
  c.kind = util::to_lower(kind);
  if (open != std::string_view::npos) {
    if (spec.back() != ')')
      fail(text, fmt::format("parameter '{}': constraint '{}' has no closing ')'", param, spec));
    std::string_view inner = spec.substr(open + 1, spec.size() - open - 2);
    for (auto a : split(inner, ',')) {
      while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
      while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
      c.args.emplace_back(a);
    }
  }
  const ConstraintInfo* info = nullptr;
  for (const auto& candidate : kConstraints)
    if (c.kind == candidate.name) info = &candidate;
  if (info == nullptr)
    fail(text, fmt::format("parameter '{}': unknown constraint '{}'", param, kind));
  int n = static_cast<int>(c.args.size());
  if (n < info->min_args || n > info->max_args) {
    fail(text, info->max_args == 0
                   ? fmt::format("parameter '{}': constraint '{}' takes no arguments", param, kind)
                   : fmt::format("parameter '{}': constraint '{}' needs {} integer argument{}",
                                 param, kind,
                                 info->min_args == info->max_args
                                     ? std::to_string(info->min_args)
                                     : fmt::format("{} or {}", info->min_args, info->max_args),
                                 info->max_args == 1 ? "" : "s"));
  }
  for (const auto& a : c.args)
    if (!is_integer<std::int64_t>(a))
      fail(text, fmt::format("parameter '{}': constraint '{}' has a non-integer argument '{}'",
                             param, kind, a));
  return c;
}

RouteTemplate::Segment parse_parameter(std::string_view text, std::string_view inner) {
  RouteTemplate::Segment seg;
  seg.literal = false;
  if (inner.starts_with("**")) {
    seg.catch_all = true;
    inner.remove_prefix(2);
  } else if (inner.starts_with("*")) {
    seg.catch_all = true;
    inner.remove_prefix(1);
  }
  // `=default` (outside constraint arguments) ends the parameter.
  auto by_eq = split_outside_parens(inner, '=');
  if (by_eq.size() > 2) fail(text, fmt::format("parameter '{{{}}}' has more than one '='", inner));
  std::string_view head = by_eq[0];
  if (by_eq.size() == 2) seg.default_value = std::string(by_eq[1]);
  if (!head.empty() && head.back() == '?') {
    seg.optional = true;
    head.remove_suffix(1);
  }
  auto parts = split_outside_parens(head, ':');
  std::string_view name = parts[0];
  if (name.empty()) fail(text, "a parameter has no name");
  for (char c : name) {
    if (c == '?' || c == '*' || c == '(' || c == ')' || c == '/' || c == ' ')
      fail(text, fmt::format("invalid parameter name '{}'", name));
  }
  seg.text = std::string(name);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].empty()) fail(text, fmt::format("parameter '{}': empty constraint", name));
    seg.constraints.push_back(parse_constraint(text, name, parts[i]));
  }
  if (seg.optional && seg.default_value)
    fail(text, fmt::format("parameter '{}' cannot be optional and have a default value", name));
  if (seg.optional && seg.catch_all)
    fail(text, fmt::format("catch-all parameter '{}' cannot be optional", name));
  return seg;
}

}  // namespace

RouteTemplate RouteTemplate::parse(std::string_view text) {
  RouteTemplate result;
  std::string_view body = trim_slashes(text);
  result.text_ = std::string(body);
  if (body.empty()) return result;
  for (std::string_view part : split(body, '/')) {
    if (part.empty()) fail(text, "empty segment ('//')");
    auto open = part.find('{');
    auto close = part.find('}');
    if (open == std::string_view::npos && close == std::string_view::npos) {
      Segment seg;
      seg.text = std::string(part);
      result.segments_.push_back(std::move(seg));
      continue;
    }
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        part.find('{', open + 1) != std::string_view::npos ||
        part.find('}', close + 1) != std::string_view::npos)
      fail(text, fmt::format("unbalanced braces in segment '{}'", part));
    if (open != 0 || close != part.size() - 1)
      fail(text, fmt::format("segment '{}' mixes literal text and a parameter (a parameter must be "
                             "a whole segment)",
                             part));
    std::string_view inner = part.substr(1, part.size() - 2);
    result.segments_.push_back(parse_parameter(text, inner));
  }
  // Optional parameters (and those with defaults) may be followed only by more of the same or a
  // catch-all; a catch-all must be last; names are unique ignoring case.
  for (std::size_t i = 0; i < result.segments_.size(); ++i) {
    const Segment& seg = result.segments_[i];
    if (seg.literal) continue;
    if (seg.catch_all && i + 1 != result.segments_.size())
      fail(text, fmt::format("catch-all parameter '{}' must be the last segment", seg.text));
    if (seg.optional || seg.default_value) {
      for (std::size_t j = i + 1; j < result.segments_.size(); ++j) {
        const Segment& next = result.segments_[j];
        if (next.literal || (!next.optional && !next.default_value && !next.catch_all))
          fail(text,
               fmt::format("optional parameter '{}' must be at the end of the template", seg.text));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!result.segments_[j].literal && iequals(result.segments_[j].text, seg.text))
        fail(text, fmt::format("duplicate parameter name '{}'", seg.text));
    }
  }
  return result;
}

int RouteTemplate::literal_count() const {
  int n = 0;
  for (const auto& seg : segments_)
    if (seg.literal) ++n;
  return n;
}

std::optional<std::map<std::string, std::string>> RouteTemplate::match(
    std::string_view path) const {
  path = trim_slashes(path);
  std::vector<std::string_view> parts;
  if (!path.empty()) parts = split(path, '/');
  std::map<std::string, std::string> params;
  std::size_t p = 0;
  for (const Segment& seg : segments_) {
    if (seg.catch_all) {
      std::string rest;
      for (std::size_t k = p; k < parts.size(); ++k) {
        if (k > p) rest.push_back('/');
        rest += util::percent_decode(parts[k], false);
      }
      p = parts.size();
      if (rest.empty()) {
        if (seg.default_value) params[seg.text] = *seg.default_value;
        continue;
      }
      for (const auto& c : seg.constraints)
        if (!satisfies(c, rest)) return std::nullopt;
      params[seg.text] = std::move(rest);
      continue;
    }
    if (p >= parts.size()) {
      if (seg.literal) return std::nullopt;
      if (seg.default_value) {
        params[seg.text] = *seg.default_value;
        continue;
      }
      if (seg.optional) continue;
      return std::nullopt;
    }
    std::string value = util::percent_decode(parts[p++], false);
    if (seg.literal) {
      if (!iequals(value, seg.text)) return std::nullopt;
      continue;
    }
    if (value.empty()) return std::nullopt;
    for (const auto& c : seg.constraints)
      if (!satisfies(c, value)) return std::nullopt;
    params[seg.text] = std::move(value);
  }
  if (p != parts.size()) return std::nullopt;
  return params;
}

}  // namespace switchboard::functions
