// Upstream template matching and URL expansion: see settings.hpp.
#include "upstream/settings.hpp"

#include "util/text.hpp"
#include "util/url.hpp"

namespace switchboard::upstream {

Pattern::Pattern(std::string_view text) : text_(util::trim(text)), any_(false) {
  if (text_.empty()) {  // unset: every name
    text_ = "*";
    any_ = true;
    return;
  }
  std::string_view rest = text;
  while (true) {
    auto comma = rest.find(',');
    auto item = util::trim(rest.substr(0, comma));
    if (item == "*") {
      any_ = true;
    } else if (!item.empty()) {
      names_.push_back(util::to_lower(item));
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
}

bool Pattern::names(std::string_view name) const {
  for (const auto& n : names_)
    if (util::iequals(n, name)) return true;
  return false;
}

bool Pattern::matches(std::string_view name) const {
  return any_ || names(name);
}

bool Template::matches(std::string_view hub, std::string_view category,
                       std::string_view event) const {
  if (!hub_pattern.matches(hub) || !category_pattern.matches(category)) return false;
  if (util::iequals(category, kConnections) && util::iequals(event, kConnect))
    return event_pattern.names(event);
  return event_pattern.matches(event);
}

std::string check_url_template(std::string_view url) {
  // The scheme as util::parse_url reads it: any case ("HTTPS://" is https, as the client calls it).
  std::string_view rest;
  if (util::iequals(url.substr(0, 7), "http://")) {
    rest = url.substr(7);
  } else if (util::iequals(url.substr(0, 8), "https://")) {
    rest = url.substr(8);
  } else {
    return "must be an http:// or https:// URL";
  }
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.starts_with(':')) return "has no host";
  if (authority.find('{') != std::string_view::npos)
    return "has a placeholder in its host (only the path and query may have one)";
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return "must not contain spaces or control characters";
  std::size_t at = 0;
  while ((at = url.find('{', at)) != std::string_view::npos) {
    auto end = url.find('}', at);
    if (end == std::string_view::npos) return "has a '{' without '}'";
    auto name = url.substr(at + 1, end - at - 1);
    if (name != "hub" && name != "category" && name != "event")
      return "has the unknown placeholder '{" + std::string(name) +
             "}' (known: {hub}, {category}, {event})";
    at = end + 1;
  }
  // The rest as any URL: the template with its placeholders expanded must parse.
  std::string why;
  const auto parsed = util::parse_url(expand_url(url, "hub", "category", "event"), &why);
  if (!parsed) return "is not a valid URL: " + why;
  if (parsed->userinfo) return "must not carry user information ('...@')";
  return {};
}

std::string expand_url(std::string_view url_template, std::string_view hub,
                       std::string_view category, std::string_view event) {
  std::string out;
  out.reserve(url_template.size() + hub.size() + event.size());
  std::size_t at = 0;
  while (at < url_template.size()) {
    auto open = url_template.find('{', at);
    if (open == std::string_view::npos) break;
    out.append(url_template.substr(at, open - at));
    auto close = url_template.find('}', open);
    if (close == std::string_view::npos) {
      at = open;
      break;
    }
    auto name = url_template.substr(open + 1, close - open - 1);
    if (name == "hub") {
      out += util::percent_encode(hub);
    } else if (name == "category") {
      out += util::percent_encode(category);
    } else if (name == "event") {
      out += util::percent_encode(event);
    } else {
      out.append(url_template.substr(open, close - open + 1));
    }
    at = close + 1;
  }
  out.append(url_template.substr(at));
  return out;
}

const Template* Settings::match(std::string_view hub, std::string_view category,
                                std::string_view event) const {
  for (const auto& t : templates)
    if (t.matches(hub, category, event)) return &t;
  return nullptr;
}

bool Settings::wants_connect(std::string_view hub) const {
  return match(hub, kConnections, kConnect) != nullptr;
}

}  // namespace switchboard::upstream
