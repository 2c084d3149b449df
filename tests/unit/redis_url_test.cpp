// Unit tests for parse_redis_url and RedisUrl::redacted: every accepted form (defaults, password
// alone, user and password, database, IPv6 in brackets, percent-encoded credentials) and a precise
// message for every rejected one; host, IPv6 and port are read by util::parse_url, with its rules
// and messages.
#include <gtest/gtest.h>

#include <string>

#include "redis/redis_url.hpp"

namespace {

using switchboard::redis::parse_redis_url;
using switchboard::redis::RedisUrl;

RedisUrl parse_ok(const std::string& text) {
  std::string error;
  auto url = parse_redis_url(text, &error);
  EXPECT_TRUE(url.has_value()) << text << ": " << error;
  return url.value_or(RedisUrl{});
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto url = parse_redis_url(text, &error);
  EXPECT_FALSE(url.has_value()) << text << " was accepted";
  EXPECT_FALSE(error.empty()) << text;
  return error;
}

TEST(RedisUrl, HostAloneTakesTheDefaults) {
  auto url = parse_ok("redis://cache.internal");
  EXPECT_EQ(url.host, "cache.internal");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.user, "");
  EXPECT_EQ(url.password, "");
  EXPECT_EQ(url.db, 0);
}

TEST(RedisUrl, PasswordPortAndDatabase) {
  auto url = parse_ok("redis://:pw@host:6380/2");
  EXPECT_EQ(url.host, "host");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.user, "");
  EXPECT_EQ(url.password, "pw");
  EXPECT_EQ(url.db, 2);
}

TEST(RedisUrl, UserAndPassword) {
  auto url = parse_ok("redis://user:pw@host");
  EXPECT_EQ(url.user, "user");
  EXPECT_EQ(url.password, "pw");
  EXPECT_EQ(url.host, "host");
  EXPECT_EQ(url.port, 6379);
}

TEST(RedisUrl, SchemeIsCaseInsensitiveAndTrailingSlashMeansDatabaseZero) {
  auto url = parse_ok("REDIS://127.0.0.1:7000/");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 7000);
  EXPECT_EQ(url.db, 0);
}

TEST(RedisUrl, Ipv6InBrackets) {
  auto url = parse_ok("redis://[::1]:6379");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 6379);
  auto without_port = parse_ok("redis://:pw@[fe80::1]/4");
  EXPECT_EQ(without_port.host, "fe80::1");
  EXPECT_EQ(without_port.port, 6379);
  EXPECT_EQ(without_port.db, 4);
}

TEST(RedisUrl, CredentialsArePercentDecoded) {
  auto url = parse_ok("redis://us%3Aer:p%40ss%2Fw%3Ard%25@host:1/15");
  EXPECT_EQ(url.user, "us:er");
  EXPECT_EQ(url.password, "p@ss/w:rd%");
  EXPECT_EQ(url.port, 1);
  EXPECT_EQ(url.db, 15);
  // An '@' in the password must be percent-encoded: with two, which one ends the credentials is
  // what host-confusion tricks play on.
  EXPECT_EQ(parse_ok("redis://:a%40b@host").password, "a@b");
  EXPECT_EQ(parse_error("redis://:a@b@host"),
            "the URL has more than one '@' before the host (percent-encode '@' in user "
            "information)");
}

TEST(RedisUrl, HighestPort) {
  EXPECT_EQ(parse_ok("redis://h:65535").port, 65535);
}

TEST(RedisUrl, RejectsTls) {
  EXPECT_EQ(parse_error("rediss://host:6380"), "TLS (rediss://) is not supported");
}

TEST(RedisUrl, RejectsOtherSchemes) {
  EXPECT_NE(parse_error("http://host").find("redis://"), std::string::npos);
  EXPECT_NE(parse_error("host:6379").find("redis://"), std::string::npos);
  EXPECT_NE(parse_error("").find("redis://"), std::string::npos);
}

TEST(RedisUrl, RejectsAnEmptyHost) {
  EXPECT_EQ(parse_error("redis://"), "the URL has no host");
  EXPECT_EQ(parse_error("redis://:pw@"), "the URL has no host");
  EXPECT_EQ(parse_error("redis://:6379"), "the URL has no host");
  EXPECT_EQ(parse_error("redis:///1"), "the URL has no host");
  EXPECT_EQ(parse_error("redis://[]:6379"), "the URL has an empty IPv6 address '[]'");
}

TEST(RedisUrl, RejectsBadPorts) {
  EXPECT_EQ(parse_error("redis://h:abc"), "the port 'abc' is not a number");
  EXPECT_EQ(parse_error("redis://h:0"), "the port '0' is out of range (1 to 65535)");
  EXPECT_EQ(parse_error("redis://h:65536"), "the port '65536' is out of range (1 to 65535)");
  EXPECT_EQ(parse_error("redis://h:99999999999999999999"),
            "the port '99999999999999999999' is out of range (1 to 65535)");
  EXPECT_EQ(parse_error("redis://h:"), "the URL has ':' after the host but no port");
  EXPECT_EQ(parse_error("redis://h:-1"), "the port '-1' is not a number");
  EXPECT_EQ(parse_error("redis://h:63 79"),
            "the URL has a space or control character at offset 12");
  EXPECT_EQ(parse_error("redis://[::1]:x"), "the port 'x' is not a number");
}

TEST(RedisUrl, RejectsBadDatabases) {
  EXPECT_NE(parse_error("redis://h/abc").find("the database must be a number"), std::string::npos);
  EXPECT_NE(parse_error("redis://h/-1").find("must not be negative"), std::string::npos);
  EXPECT_NE(parse_error("redis://h/99999999999").find("too large"), std::string::npos);
}

TEST(RedisUrl, RejectsTrailingGarbage) {
  EXPECT_EQ(parse_error("redis://h:6379/0/extra"),
            "unexpected text after the database number: '/extra'");
  EXPECT_EQ(parse_error("redis://h/1?timeout=5"), "a Redis URL takes no query, not '?timeout=5'");
  EXPECT_EQ(parse_error("redis://host?x=1"), "a Redis URL takes no query, not '?x=1'");
  EXPECT_EQ(parse_error("redis://host/0#x"), "a Redis URL takes no fragment, not '#x'");
  EXPECT_EQ(parse_error("redis://[::1]x"), "unexpected text after the IPv6 address: 'x'");
  EXPECT_EQ(parse_error("redis://ho st"), "the URL has a space or control character at offset 10");
  EXPECT_EQ(parse_error("redis://ho!st"), "the host 'ho!st' has the invalid character '!'");
}

TEST(RedisUrl, RejectsMalformedCredentialsAndAddresses) {
  EXPECT_NE(parse_error("redis://pw@host").find("[user]:password@"), std::string::npos);
  EXPECT_EQ(parse_error("redis://:p%4@host"),
            "the user information has a malformed percent-escape");
  EXPECT_EQ(parse_error("redis://u%zz:pw@host"),
            "the user information has a malformed percent-escape");
  EXPECT_EQ(parse_error("redis://:p\\w@host"),
            "the user information has the character '\\', which must be percent-encoded");
  EXPECT_NE(parse_error("redis://user:@host").find("without a password"), std::string::npos);
  EXPECT_NE(parse_error("redis://:@host").find("password is empty"), std::string::npos);
  EXPECT_EQ(parse_error("redis://::1:6379"),
            "an IPv6 address must be written in brackets, e.g. redis://[::1]:8080/");
  EXPECT_EQ(parse_error("redis://[::1:6379"), "the IPv6 address lacks its closing ']'");
  EXPECT_EQ(parse_error("redis://[::g]:6379"), "'[::g]' is not a valid IPv6 address");
}

TEST(RedisUrl, HostsAsEveryUrlReadsThem) {
  // The rules of util::parse_url (docs/urls.md): names lower-cased, IPv6 canonical, and hosts a
  // resolver would read as another address than they look refused.
  EXPECT_EQ(parse_ok("redis://Cache.Internal").host, "cache.internal");
  EXPECT_EQ(parse_ok("redis://[0:0::1]").host, "::1");
  EXPECT_EQ(parse_ok("redis://[0:0::1]").redacted(), "redis://[::1]:6379");
  EXPECT_EQ(parse_ok("redis://h:006380").port, 6380);
  EXPECT_EQ(parse_error("redis://1.2.3"),
            "the host '1.2.3' is neither a name nor a dotted-decimal IPv4 address (a.b.c.d, each 0 "
            "to 255, without leading zeros)");
  EXPECT_EQ(parse_error("redis://010.0.0.1:6379"),
            "the host '010.0.0.1' is neither a name nor a dotted-decimal IPv4 address (a.b.c.d, "
            "each 0 to 255, without leading zeros)");
  EXPECT_EQ(parse_error("redis://[fe80::1%25eth0]"),
            "IPv6 zone identifiers ('%') are not supported");
  EXPECT_EQ(parse_error("redis://a..b"),
            "the host 'a..b' has an empty label (a leading, trailing or doubled '.')");
}

TEST(RedisUrl, ErrorPointerMayBeNull) {
  EXPECT_FALSE(parse_redis_url("rediss://h", nullptr).has_value());
  EXPECT_TRUE(parse_redis_url("redis://h", nullptr).has_value());
}

TEST(RedisUrl, RedactedHidesThePassword) {
  EXPECT_EQ(parse_ok("redis://:secret@host:6380/2").redacted(), "redis://:***@host:6380/2");
  EXPECT_EQ(parse_ok("redis://us%40er:secret@host").redacted(), "redis://us%40er:***@host:6379");
  EXPECT_EQ(parse_ok("redis://[::1]").redacted(), "redis://[::1]:6379");
  EXPECT_EQ(parse_ok("redis://host").redacted(), "redis://host:6379");
}

}  // namespace
