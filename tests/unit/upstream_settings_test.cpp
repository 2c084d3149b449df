// Unit tests for upstream templates: pattern matching (*, lists, exact, case), first match wins,
// the connect event only for templates that name it, URL checks and placeholder expansion.
#include "upstream/settings.hpp"

#include <gtest/gtest.h>

namespace switchboard::upstream {
namespace {

Template make(std::string url, std::string hub = "*", std::string category = "*",
              std::string event = "*") {
  Template t;
  t.url_template = std::move(url);
  t.hub_pattern = Pattern(hub);
  t.category_pattern = Pattern(category);
  t.event_pattern = Pattern(event);
  return t;
}

TEST(UpstreamPattern, StarListsAndExactNames) {
  EXPECT_TRUE(Pattern("*").matches("anything"));
  EXPECT_TRUE(Pattern().matches("anything"));
  EXPECT_TRUE(Pattern("").matches("x"));  // unset: every name
  Pattern list(" chat , Lobby,news ");
  EXPECT_TRUE(list.matches("chat"));
  EXPECT_TRUE(list.matches("lobby"));
  EXPECT_TRUE(list.matches("NEWS"));
  EXPECT_FALSE(list.matches("cha"));
  EXPECT_FALSE(list.matches("chat,lobby"));
  EXPECT_FALSE(list.matches(""));
  EXPECT_TRUE(Pattern("Chat").matches("chat"));
  EXPECT_FALSE(Pattern("chat").matches("chatroom"));
  EXPECT_TRUE(Pattern("a,*").matches("zzz"));
  EXPECT_FALSE(Pattern("a,,b").matches(""));
}

TEST(UpstreamSettings, FirstMatchWins) {
  Settings s;
  s.templates = {make("http://a/", "chat", "messages", "send,broadcast"), make("http://b/", "chat"),
                 make("http://c/")};
  EXPECT_EQ(s.match("chat", "messages", "Broadcast")->url_template, "http://a/");
  EXPECT_EQ(s.match("chat", "messages", "other")->url_template, "http://b/");
  EXPECT_EQ(s.match("chat", "connections", "connected")->url_template, "http://b/");
  EXPECT_EQ(s.match("news", "messages", "send")->url_template, "http://c/");
  Settings narrow;
  narrow.templates = {make("http://a/", "chat", "messages")};
  EXPECT_EQ(narrow.match("chat", "connections", "connected"), nullptr);
  EXPECT_EQ(narrow.match("lobby", "messages", "x"), nullptr);
}

TEST(UpstreamSettings, ConnectOnlyWhenNamed) {
  Settings every;
  every.templates = {make("http://a/")};
  EXPECT_EQ(every.match("chat", "connections", "connect"), nullptr);
  EXPECT_FALSE(every.wants_connect("chat"));
  EXPECT_NE(every.match("chat", "connections", "connected"), nullptr);
  // A message target called "connect" is an ordinary event.
  EXPECT_NE(every.match("chat", "messages", "connect"), nullptr);

  Settings named;
  named.templates = {make("http://all/"),
                     make("http://gate/", "chat", "connections", "Connect, connected")};
  EXPECT_EQ(named.match("chat", "connections", "connect")->url_template, "http://gate/");
  EXPECT_EQ(named.match("chat", "connections", "connected")->url_template, "http://all/");
  EXPECT_TRUE(named.wants_connect("CHAT"));
  EXPECT_FALSE(named.wants_connect("lobby"));
  // "*" next to a name does not stand for connect.
  Settings star_list;
  star_list.templates = {make("http://a/", "*", "*", "*,disconnected")};
  EXPECT_FALSE(star_list.wants_connect("chat"));
}

TEST(UpstreamSettings, UrlTemplateChecks) {
  EXPECT_EQ(check_url_template("http://localhost:7071/runtime/webhooks/signalr"), "");
  EXPECT_EQ(check_url_template("https://x.example/{hub}/api/{category}/{event}?code=1"), "");
  // The scheme in any case, as the URL parser and the HTTP client read it.
  EXPECT_EQ(check_url_template("HTTPS://X.example/{hub}"), "");
  EXPECT_EQ(check_url_template("Http://x/{hub}"), "");
  EXPECT_EQ(check_url_template("HTTP:///path"), "has no host");
  EXPECT_EQ(check_url_template("ftp://x/"), "must be an http:// or https:// URL");
  EXPECT_EQ(check_url_template("http:/x/"), "must be an http:// or https:// URL");
  EXPECT_EQ(check_url_template("localhost:7071"), "must be an http:// or https:// URL");
  EXPECT_EQ(check_url_template("http:///path"), "has no host");
  EXPECT_EQ(check_url_template("http://{hub}.example/"),
            "has a placeholder in its host (only the path and query may have one)");
  EXPECT_EQ(check_url_template("http://x/{user}"),
            "has the unknown placeholder '{user}' (known: {hub}, {category}, {event})");
  EXPECT_EQ(check_url_template("http://x/{hub"), "has a '{' without '}'");
  EXPECT_EQ(check_url_template("http://x/a b"), "must not contain spaces or control characters");
  EXPECT_EQ(check_url_template("http://x:99999/{hub}"),
            "is not a valid URL: the port '99999' is out of range (1 to 65535)");
  EXPECT_EQ(check_url_template("http://x/{event}%zz"),
            "is not a valid URL: the path has a malformed percent-escape '%zz' ('%' must be "
            "followed by two hex digits)");
  EXPECT_EQ(check_url_template("http://u:p@x/{hub}"), "must not carry user information ('...@')");
  EXPECT_EQ(check_url_template("http://[::1]:7071/runtime/webhooks/signalr?code=a/b+c="), "");
}

TEST(UpstreamSettings, ExpandEscapesValues) {
  EXPECT_EQ(
      expand_url("http://h/{hub}/{category}/{event}?e={event}", "chat", "messages", "send msg/ä?&"),
      "http://h/chat/messages/send%20msg%2F%C3%A4%3F%26?e=send%20msg%2F%C3%A4%3F%26");
  EXPECT_EQ(expand_url("http://h/plain", "a", "b", "c"), "http://h/plain");
}

}  // namespace
}  // namespace switchboard::upstream
