// Upstream settings as Azure SignalR Service has them: an ordered list of templates, each a URL
// template with hub, category and event patterns. The first template whose three patterns match an
// event is the one it goes to. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::upstream {

// The two categories of upstream events, and the events of the connections category.
inline constexpr std::string_view kConnections = "connections";
inline constexpr std::string_view kMessages = "messages";
inline constexpr std::string_view kConnect = "connect";  // synchronous, may reject the client
inline constexpr std::string_view kConnected = "connected";
inline constexpr std::string_view kDisconnected = "disconnected";

// A pattern: `*` (any name), a comma-separated list of names (items trimmed) or one name;
// names compare case-insensitively. `*` never matches the `connect` event: a template receives
// it only when its event pattern names `connect` (the Functions webhook answers 404 to events it
// has no function for, which would reject every client).
class Pattern {
 public:
  Pattern() = default;  // `*`; so is an empty text
  explicit Pattern(std::string_view text);
  bool matches(std::string_view name) const;
  // Matches `name` by naming it, not through `*`.
  bool names(std::string_view name) const;
  bool any() const { return any_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_ = "*";
  bool any_ = true;
  std::vector<std::string> names_;  // lower-cased
};

struct Template {
  std::string url_template;  // http(s) URL; may hold {hub}, {category}, {event}
  Pattern hub_pattern;
  Pattern category_pattern;
  Pattern event_pattern;
  // Whether an event (hub, category, event) goes to this template.
  bool matches(std::string_view hub, std::string_view category, std::string_view event) const;
};

// Why a URL template is not usable ("" when it is): only http:// and https:// URLs with a host,
// only the three placeholders, and, with them expanded, a URL util::parse_url accepts, without
// user information.
std::string check_url_template(std::string_view url_template);

// The URL an event goes to: the placeholders replaced by the percent-encoded values.
std::string expand_url(std::string_view url_template, std::string_view hub,
                       std::string_view category, std::string_view event);

struct Settings {
  std::vector<Template> templates;
  bool empty() const { return templates.empty(); }
  // The first matching template, or nullptr.
  const Template* match(std::string_view hub, std::string_view category,
                        std::string_view event) const;
  // Whether any template takes the `connect` event of a hub (so clients wait for its answer).
  bool wants_connect(std::string_view hub) const;
};

}  // namespace switchboard::upstream
