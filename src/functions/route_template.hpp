// HTTP trigger route templates, as ASP.NET routing writes them: literal segments (matched
// case-insensitively), `{name}`, `{name?}`, `{name=default}`, `{*rest}`, and constraints
// `{id:int}`, `:long`, `:alpha`, `:bool`, `:guid`, `:double`, `:float`, `:decimal`, `:datetime`,
// `:minlength(n)`, `:maxlength(n)`, `:length(n)`, `:min(n)`, `:max(n)`, `:range(a,b)`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::functions {

class RouteTemplate {
 public:
  // Throws std::invalid_argument with a message naming the problem (unbalanced braces, an
  // unknown constraint, an optional or catch-all parameter that is not last, duplicate names).
  static RouteTemplate parse(std::string_view text);

  // Matches a request path relative to the route prefix (no leading '/', percent-decoded per
  // segment by the matcher). Returns the route parameters (absent optional ones omitted,
  // defaults filled in), or nullopt when the path does not match.
  std::optional<std::map<std::string, std::string>> match(std::string_view path) const;

  const std::string& text() const { return text_; }
  // Number of literal segments: more specific templates are tried first.
  int literal_count() const;

  struct Constraint {
    std::string kind;  // lower-case name, e.g. "int", "minlength"
    std::vector<std::string> args;
  };
  struct Segment {
    bool literal = true;
    std::string text;  // literal text, or the parameter name
    bool optional = false;
    bool catch_all = false;
    std::optional<std::string> default_value;
    std::vector<Constraint> constraints;
  };

 private:
  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace switchboard::functions
