// Unit tests for HTTP trigger route templates: parsing errors, matching, defaults and constraints.
#include "functions/route_template.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace switchboard::functions {
namespace {

using Params = std::map<std::string, std::string>;

// The std::invalid_argument message of parsing `text`, or "" when it parses.
std::string parse_error(std::string_view text) {
  try {
    RouteTemplate::parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool matches(std::string_view tmpl, std::string_view path) {
  return RouteTemplate::parse(tmpl).match(path).has_value();
}

TEST(RouteTemplate, LiteralSegmentsMatchCaseInsensitively) {
  auto t = RouteTemplate::parse("chat/negotiate");
  EXPECT_EQ(t.text(), "chat/negotiate");
  EXPECT_EQ(t.literal_count(), 2);
  EXPECT_EQ(t.match("chat/negotiate"), Params{});
  EXPECT_EQ(t.match("CHAT/Negotiate"), Params{});
  EXPECT_EQ(t.match("chat/negotiate/"), Params{});  // trailing slash ignored
  EXPECT_FALSE(t.match("chat"));
  EXPECT_FALSE(t.match("chat/negotiate/x"));
  EXPECT_FALSE(t.match("chat/negotiat"));
  EXPECT_FALSE(t.match(""));
}

TEST(RouteTemplate, SlashesAroundTheTemplateAreDropped) {
  auto t = RouteTemplate::parse("/products/{id}/");
  EXPECT_EQ(t.text(), "products/{id}");
  EXPECT_EQ(t.match("products/7"), (Params{{"id", "7"}}));
}

TEST(RouteTemplate, EmptyTemplateMatchesOnlyTheEmptyPath) {
  auto t = RouteTemplate::parse("");
  EXPECT_EQ(t.literal_count(), 0);
  EXPECT_EQ(t.match(""), Params{});
  EXPECT_EQ(t.match("/"), Params{});
  EXPECT_FALSE(t.match("x"));
}

TEST(RouteTemplate, ParametersArePercentDecodedPerSegment) {
  auto t = RouteTemplate::parse("users/{user}/groups/{group}");
  EXPECT_EQ(t.literal_count(), 2);
  EXPECT_EQ(t.match("users/a%20b/groups/g%2Fh"), (Params{{"user", "a b"}, {"group", "g/h"}}));
  EXPECT_EQ(t.match("Users/u1/GROUPS/g1"), (Params{{"user", "u1"}, {"group", "g1"}}));
  EXPECT_FALSE(t.match("users//groups/g"));  // a parameter is never empty
  EXPECT_FALSE(t.match("users/u/groups"));
}

TEST(RouteTemplate, OptionalAndDefaultParameters) {
  auto t = RouteTemplate::parse("products/{category:alpha}/{id:int?}");
  EXPECT_EQ(t.match("products/shoes/7"), (Params{{"category", "shoes"}, {"id", "7"}}));
  EXPECT_EQ(t.match("products/shoes"), (Params{{"category", "shoes"}}));  // absent: omitted
  EXPECT_FALSE(t.match("products/shoes/x"));
  EXPECT_FALSE(t.match("products/sh0es/7"));
  EXPECT_FALSE(t.match("products"));

  auto d = RouteTemplate::parse("page/{n:int=1}");
  EXPECT_EQ(d.match("page"), (Params{{"n", "1"}}));
  EXPECT_EQ(d.match("page/5"), (Params{{"n", "5"}}));

  auto two = RouteTemplate::parse("a/{x?}/{y?}");
  EXPECT_EQ(two.match("a"), Params{});
  EXPECT_EQ(two.match("a/1"), (Params{{"x", "1"}}));
  EXPECT_EQ(two.match("a/1/2"), (Params{{"x", "1"}, {"y", "2"}}));
}

TEST(RouteTemplate, CatchAllTakesTheRest) {
  auto t = RouteTemplate::parse("files/{*path}");
  EXPECT_EQ(t.match("files/a/b%20c/d"), (Params{{"path", "a/b c/d"}}));
  EXPECT_EQ(t.match("files/x"), (Params{{"path", "x"}}));
  EXPECT_EQ(t.match("files"), Params{});  // empty rest: no value
  EXPECT_FALSE(t.match("other/x"));

  auto d = RouteTemplate::parse("static/{**rest=index.html}");
  EXPECT_EQ(d.match("static"), (Params{{"rest", "index.html"}}));
  EXPECT_EQ(d.match("static/css/site.css"), (Params{{"rest", "css/site.css"}}));
}

TEST(RouteTemplate, TypeConstraints) {
  EXPECT_TRUE(matches("{v:int}", "123"));
  EXPECT_TRUE(matches("{v:int}", "-2147483648"));
  EXPECT_FALSE(matches("{v:int}", "2147483648"));
  EXPECT_FALSE(matches("{v:int}", "+1"));
  EXPECT_FALSE(matches("{v:int}", "1.5"));
  EXPECT_FALSE(matches("{v:int}", "-"));
  EXPECT_TRUE(matches("{v:long}", "9223372036854775807"));
  EXPECT_FALSE(matches("{v:long}", "9223372036854775808"));
  EXPECT_TRUE(matches("{v:alpha}", "abcXYZ"));
  EXPECT_FALSE(matches("{v:alpha}", "abc1"));
  EXPECT_TRUE(matches("{v:bool}", "TRUE"));
  EXPECT_TRUE(matches("{v:bool}", "false"));
  EXPECT_FALSE(matches("{v:bool}", "yes"));
  EXPECT_TRUE(matches("{v:guid}", "0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_TRUE(matches("{v:guid}", "0F8FAD5B-D9CB-469F-A165-70867728950E"));
  EXPECT_FALSE(matches("{v:guid}", "0f8fad5bd9cb469fa16570867728950e"));
  EXPECT_FALSE(matches("{v:guid}", "0f8fad5b-d9cb-469f-a165-70867728950"));
  EXPECT_FALSE(matches("{v:guid}", "0f8fad5g-d9cb-469f-a165-70867728950e"));
  for (const char* kind : {"double", "float", "decimal"}) {
    std::string tmpl = std::string("{v:") + kind + "}";
    EXPECT_TRUE(matches(tmpl, "1.5")) << kind;
    EXPECT_TRUE(matches(tmpl, "-2")) << kind;
    EXPECT_TRUE(matches(tmpl, ".5")) << kind;
    EXPECT_TRUE(matches(tmpl, "1e10")) << kind;
    EXPECT_FALSE(matches(tmpl, "abc")) << kind;
    EXPECT_FALSE(matches(tmpl, "1e")) << kind;
    EXPECT_FALSE(matches(tmpl, ".")) << kind;
  }
  EXPECT_TRUE(matches("{v:datetime}", "2024-05-01"));
  EXPECT_TRUE(matches("{v:datetime}", "2024-05-01T12:30"));
  EXPECT_TRUE(matches("{v:datetime}", "2024-05-01T12:30:45.123Z"));
  EXPECT_TRUE(matches("{v:datetime}", "2024-05-01%2012%3A30%3A45%2B02%3A00"));  // decoded first
  EXPECT_FALSE(matches("{v:datetime}", "2024-13-01"));
  EXPECT_FALSE(matches("{v:datetime}", "yesterday"));
  EXPECT_FALSE(matches("{v:datetime}", "2024-05-01T25:00"));
}

TEST(RouteTemplate, LengthAndRangeConstraints) {
  EXPECT_TRUE(matches("{v:minlength(3)}", "abc"));
  EXPECT_FALSE(matches("{v:minlength(3)}", "ab"));
  EXPECT_TRUE(matches("{v:maxlength(3)}", "abc"));
  EXPECT_FALSE(matches("{v:maxlength(3)}", "abcd"));
  EXPECT_TRUE(matches("{v:length(2)}", "ab"));
  EXPECT_FALSE(matches("{v:length(2)}", "abc"));
  EXPECT_TRUE(matches("{v:length(2,4)}", "abcd"));
  EXPECT_FALSE(matches("{v:length(2,4)}", "a"));
  EXPECT_TRUE(matches("{v:maxlength(2)}", "%C3%A9%C3%A9"));  // two characters, four bytes
  EXPECT_TRUE(matches("{v:min(10)}", "10"));
  EXPECT_FALSE(matches("{v:min(10)}", "9"));
  EXPECT_FALSE(matches("{v:min(10)}", "ten"));
  EXPECT_TRUE(matches("{v:max(10)}", "-5"));
  EXPECT_FALSE(matches("{v:max(10)}", "11"));
  EXPECT_TRUE(matches("{v:range(1,5)}", "5"));
  EXPECT_FALSE(matches("{v:range(1,5)}", "6"));
  EXPECT_FALSE(matches("{v:range(1,5)}", "0"));
  // Several constraints all apply.
  EXPECT_TRUE(matches("{v:int:min(1):max(3)}", "2"));
  EXPECT_FALSE(matches("{v:int:min(1):max(3)}", "4"));
  // Constraint names are case-insensitive.
  EXPECT_TRUE(matches("{v:INT}", "4"));
}

TEST(RouteTemplate, MoreLiteralsMeanMoreSpecific) {
  EXPECT_EQ(RouteTemplate::parse("a/b/{c}").literal_count(), 2);
  EXPECT_EQ(RouteTemplate::parse("{a}/{b}").literal_count(), 0);
}

TEST(RouteTemplate, ParseErrors) {
  EXPECT_EQ(parse_error("products/{id"),
            "route template 'products/{id': unbalanced braces in segment '{id'");
  EXPECT_EQ(parse_error("products/id}"),
            "route template 'products/id}': unbalanced braces in segment 'id}'");
  EXPECT_EQ(parse_error("{a}}"), "route template '{a}}': unbalanced braces in segment '{a}}'");
  EXPECT_EQ(parse_error("{{a}"), "route template '{{a}': unbalanced braces in segment '{{a}'");
  EXPECT_EQ(parse_error("a/{x:foo}"),
            "route template 'a/{x:foo}': parameter 'x': unknown "
            "constraint 'foo'");
  EXPECT_EQ(parse_error("{*all}/x"),
            "route template '{*all}/x': catch-all parameter 'all' must be the last segment");
  EXPECT_EQ(parse_error("{id?}/x"),
            "route template '{id?}/x': optional parameter 'id' must be at the end of the template");
  EXPECT_EQ(parse_error("{id?}/{name}"),
            "route template '{id?}/{name}': optional parameter 'id' must be at the end of the "
            "template");
  EXPECT_EQ(parse_error("{id}/{ID}"), "route template '{id}/{ID}': duplicate parameter name 'ID'");
  EXPECT_EQ(parse_error("a//b"), "route template 'a//b': empty segment ('//')");
  EXPECT_EQ(parse_error("a/{}"), "route template 'a/{}': a parameter has no name");
  EXPECT_EQ(parse_error("file-{id}"),
            "route template 'file-{id}': segment 'file-{id}' mixes literal text and a parameter (a "
            "parameter must be a whole segment)");
  EXPECT_EQ(parse_error("{x:min(a)}"),
            "route template '{x:min(a)}': parameter 'x': constraint 'min' has a non-integer "
            "argument 'a'");
  EXPECT_EQ(parse_error("{x:range(1)}"),
            "route template '{x:range(1)}': parameter 'x': constraint 'range' needs 2 integer "
            "arguments");
  EXPECT_EQ(parse_error("{x:int(3)}"),
            "route template '{x:int(3)}': parameter 'x': constraint 'int' takes no arguments");
  EXPECT_EQ(parse_error("{x:min(3}"),
            "route template '{x:min(3}': parameter 'x': constraint 'min(3' has no closing ')'");
  EXPECT_EQ(parse_error("{*x?}"),
            "route template '{*x?}': catch-all parameter 'x' cannot be "
            "optional");
  EXPECT_EQ(parse_error("{x?=1}"),
            "route template '{x?=1}': parameter 'x' cannot be optional "
            "and have a default value");
  EXPECT_EQ(parse_error("products/{category:alpha}/{id:int?}"), "");
}

}  // namespace
}  // namespace switchboard::functions
