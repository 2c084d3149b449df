// Unit tests for parse_redis_url and RedisUrl::redacted: every accepted form (defaults, password
// alone, user and password, database, IPv6 in brackets, percent-encoded credentials) and a precise
// message for every rejected one.
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
  // An unencoded '@' in the password is still read up to the last '@'.
  EXPECT_EQ(parse_ok("redis://:a@b@host").password, "a@b");
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
  EXPECT_EQ(parse_error("redis://"), "the host is empty");
  EXPECT_EQ(parse_error("redis://:pw@"), "the host is empty");
  EXPECT_EQ(parse_error("redis://:6379"), "the host is empty");
  EXPECT_EQ(parse_error("redis:///1"), "the host is empty");
  EXPECT_EQ(parse_error("redis://[]:6379"), "the host is empty");
}

TEST(RedisUrl, RejectsBadPorts) {
  for (const char* text : {"redis://h:abc", "redis://h:0", "redis://h:65536", "redis://h:99999999",
                           "redis://h:", "redis://h:-1", "redis://h:63 79", "redis://[::1]:x"}) {
    auto error = parse_error(text);
    EXPECT_NE(error.find("the port must be a number from 1 to 65535"), std::string::npos)
        << text << ": " << error;
  }
}

TEST(RedisUrl, RejectsBadDatabases) {
  EXPECT_NE(parse_error("redis://h/abc").find("the database must be a number"), std::string::npos);
  EXPECT_NE(parse_error("redis://h/-1").find("must not be negative"), std::string::npos);
  EXPECT_NE(parse_error("redis://h/99999999999").find("too large"), std::string::npos);
}

TEST(RedisUrl, RejectsTrailingGarbage) {
  EXPECT_EQ(parse_error("redis://h:6379/0/extra"),
            "unexpected text after the database number: '/extra'");
  EXPECT_EQ(parse_error("redis://h/1?timeout=5"),
            "unexpected text after the database number: '?timeout=5'");
  EXPECT_EQ(parse_error("redis://[::1]x"), "unexpected text after the IPv6 address: 'x'");
  EXPECT_NE(parse_error("redis://host?x=1").find("invalid character"), std::string::npos);
  EXPECT_NE(parse_error("redis://ho st").find("invalid character"), std::string::npos);
}

TEST(RedisUrl, RejectsMalformedCredentialsAndAddresses) {
  EXPECT_NE(parse_error("redis://pw@host").find("[user]:password@"), std::string::npos);
  EXPECT_NE(parse_error("redis://:p%4@host").find("percent-encoding"), std::string::npos);
  EXPECT_NE(parse_error("redis://u%zz:pw@host").find("percent-encoding"), std::string::npos);
  EXPECT_NE(parse_error("redis://user:@host").find("without a password"), std::string::npos);
  EXPECT_NE(parse_error("redis://:@host").find("password is empty"), std::string::npos);
  EXPECT_NE(parse_error("redis://::1:6379").find("brackets"), std::string::npos);
  EXPECT_NE(parse_error("redis://[::1:6379").find("closing ']'"), std::string::npos);
  EXPECT_NE(parse_error("redis://[::g]:6379").find("not valid"), std::string::npos);
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
