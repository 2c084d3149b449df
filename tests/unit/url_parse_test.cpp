// Unit tests for util::parse_url, the one absolute-URL parser: what each part becomes, and a
// precise message for every refusal (scheme, user information, host, IPv6 literal, port, escapes).
#include <gtest/gtest.h>

#include "util/url.hpp"

namespace switchboard::util {
namespace {

std::string error_of(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_url(text, &error)) << text;
  return error;
}

TEST(ParseUrl, SplitsEveryPart) {
  const auto url = parse_url("HTTPS://user:p%40ss@Example.COM:8443/a/B%2F?x=1&y#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->userinfo, "user:p%40ss");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_FALSE(url->ipv6);
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a/B%2F");
  EXPECT_EQ(url->query, "x=1&y");
  EXPECT_EQ(url->fragment, "frag");
  EXPECT_EQ(url->authority(), "example.com:8443");
  EXPECT_EQ(url->request_target(), "/a/B%2F?x=1&y");
}

TEST(ParseUrl, AbsentPartsAreAbsent) {
  const auto url = parse_url("http://h");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->userinfo);
  EXPECT_FALSE(url->port);
  EXPECT_EQ(url->path, "");
  EXPECT_FALSE(url->query);
  EXPECT_FALSE(url->fragment);
  EXPECT_EQ(url->request_target(), "/");
  EXPECT_EQ(url->effective_port(), 80);

  // An empty query or fragment is there, and empty.
  const auto empty = parse_url("http://h/p?#");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->query, "");
  EXPECT_EQ(empty->fragment, "");
  EXPECT_EQ(parse_url("http://h?q")->request_target(), "/?q");
  EXPECT_EQ(parse_url("http://h#f")->path, "");
  EXPECT_EQ(parse_url("http://@h")->userinfo, "");
}

TEST(ParseUrl, DefaultPorts) {
  EXPECT_EQ(parse_url("https://h")->effective_port(), 443);
  EXPECT_EQ(parse_url("wss://h")->effective_port(), 443);
  EXPECT_EQ(parse_url("ws://h")->effective_port(), 80);
  EXPECT_EQ(parse_url("http://h:8080")->effective_port(), 8080);
  EXPECT_FALSE(parse_url("redis://h")->effective_port());
}

TEST(ParseUrl, Ipv6LiteralsAreCanonical) {
  const auto url = parse_url("http://[0:0:0:0:0:0:0:1]:5000/x");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->ipv6);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->host_text(), "[::1]");
  EXPECT_EQ(url->authority(), "[::1]:5000");
  EXPECT_EQ(url->port, 5000);
  EXPECT_EQ(parse_url("http://[FE80::A]")->host, "fe80::a");
  EXPECT_EQ(parse_url("http://[::ffff:127.0.0.1]/")->host, "::ffff:127.0.0.1");
  EXPECT_EQ(parse_url("http://[::1]")->authority(), "[::1]");
}

TEST(ParseUrl, HostNamesAndAddresses) {
  EXPECT_EQ(parse_url("http://LocalHost")->host, "localhost");
  EXPECT_EQ(parse_url("http://my_host-1.example")->host, "my_host-1.example");
  EXPECT_EQ(parse_url("http://10.0.0.5:8080")->host, "10.0.0.5");
  EXPECT_EQ(parse_url("http://255.255.255.255")->host, "255.255.255.255");
  EXPECT_EQ(parse_url("http://0.0.0.0")->host, "0.0.0.0");
  EXPECT_EQ(parse_url("http://1host.example")->host, "1host.example");
  EXPECT_TRUE(parse_url("http://" + std::string(63, 'a') + ".example"));
}

TEST(ParseUrl, PathQueryAndFragmentAreKeptAsWritten) {
  // Characters browsers leave unescaped are accepted and not rewritten.
  const auto url = parse_url("http://h/a|b[1]^{x}/%7E?q=a+b&r=[1]|\"#x#y");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->path, "/a|b[1]^{x}/%7E");
  EXPECT_EQ(url->query, "q=a+b&r=[1]|\"");
  EXPECT_EQ(url->fragment, "x#y");
  EXPECT_EQ(parse_url("http://h/a?b?c")->query, "b?c");
  EXPECT_EQ(parse_url("http://h/a@b:c")->path, "/a@b:c");
}

TEST(ParseUrl, RefusesWhatIsNotAnAbsoluteUrl) {
  EXPECT_EQ(error_of(""), "the URL is empty");
  const std::string no_scheme =
      "the URL has no scheme (expected scheme://host, e.g. https://example.com)";
  EXPECT_EQ(error_of("//h"), no_scheme);
  EXPECT_EQ(error_of("h/x:1"), no_scheme);
  EXPECT_EQ(error_of(":8080"), no_scheme);
  EXPECT_EQ(error_of("localhost"), no_scheme);
  EXPECT_EQ(error_of("1http://h"), "the scheme '1http' does not start with a letter");
  EXPECT_EQ(error_of("ht_tp://h"), "the scheme 'ht_tp' has the invalid character '_'");
  EXPECT_EQ(error_of("http:/h"), "the URL has no '//' after 'http:' (expected http://host)");
  EXPECT_EQ(error_of("mailto:a@b"), "the URL has no '//' after 'mailto:' (expected mailto://host)");
  EXPECT_EQ(error_of("localhost:8080"),
            "the URL has no '//' after 'localhost:' (expected localhost://host)");
}

TEST(ParseUrl, RefusesSpacesControlsAndNonAscii) {
  EXPECT_EQ(error_of("http://h x"), "the URL has a space or control character at offset 8");
  EXPECT_EQ(error_of(" http://h"), "the URL has a space or control character at offset 0");
  EXPECT_EQ(error_of("http://h/\t"), "the URL has a space or control character at offset 9");
  EXPECT_EQ(error_of(std::string("http://h/\0", 10)),
            "the URL has a space or control character at offset 9");
  EXPECT_EQ(error_of("http://h/\x7f"), "the URL has a space or control character at offset 9");
  EXPECT_EQ(error_of("http://\xc3\xa9.example/"),
            "the URL has a non-ASCII byte at offset 7 (percent-encode it; a host name in its "
            "punycode form)");
}

TEST(ParseUrl, RefusesBadUserInformation) {
  EXPECT_EQ(error_of("http://a@b@h/"),
            "the URL has more than one '@' before the host (percent-encode '@' in user "
            "information)");
  EXPECT_EQ(parse_url("http://a/b@h/")->host, "a");  // that '@' is in the path
}

TEST(ParseUrl, UserInformationCharacters) {
  EXPECT_EQ(parse_url("http://u%20:p!$&'()*+,;=@h")->userinfo, "u%20:p!$&'()*+,;=");
  EXPECT_EQ(error_of("http://u[@h"),
            "the user information has the character '[', which must be percent-encoded");
  EXPECT_EQ(error_of("http://u%zz@h"), "the user information has a malformed percent-escape");
  // A backslash is never a separator: http://evil\@good is user "evil\", refused.
  EXPECT_EQ(error_of("http://evil\\@good/"),
            "the user information has the character '\\', which must be percent-encoded");
}

TEST(ParseUrl, RefusesBadHosts) {
  EXPECT_EQ(error_of("http://"), "the URL has no host");
  EXPECT_EQ(error_of("http:///path"), "the URL has no host");
  EXPECT_EQ(error_of("http://:8080/"), "the URL has no host");
  EXPECT_EQ(error_of("http://u@/"), "the URL has no host");
  EXPECT_EQ(error_of("http://a%2eb/"), "percent-encoded host names are not supported");
  EXPECT_EQ(error_of("http://a!b/"), "the host 'a!b' has the invalid character '!'");
  EXPECT_EQ(error_of("http://a\\b/"), "the host 'a\\b' has the invalid character '\\'");
  EXPECT_EQ(error_of("http://a..b/"),
            "the host 'a..b' has an empty label (a leading, trailing or doubled '.')");
  EXPECT_EQ(error_of("http://.a/"),
            "the host '.a' has an empty label (a leading, trailing or doubled '.')");
  EXPECT_EQ(error_of("http://a./"),
            "the host 'a.' has an empty label (a leading, trailing or doubled '.')");
  EXPECT_EQ(error_of("http://" + std::string(64, 'a') + "/"),
            "the host '" + std::string(64, 'a') + "' has a label longer than 63 characters");
  std::string long_host;
  for (int i = 0; i < 64; ++i) long_host += "abc.";
  long_host += "de";
  EXPECT_EQ(error_of("http://" + long_host), "the host name is longer than 253 characters");
}

TEST(ParseUrl, RefusesNumericHostsThatAreNotDottedDecimal) {
  // Resolvers read these as addresses other than they look (1.2.3 is 1.2.0.3, 010 is octal).
  for (const char* host : {"1.2.3", "1.2.3.4.5", "256.0.0.1", "010.0.0.1", "0x7f.0.0.1",
                           "2130706433", "1.2.3.1000", "a.1"}) {
    EXPECT_EQ(error_of(std::string("http://") + host + "/"),
              std::string("the host '") + host +
                  "' is neither a name nor a dotted-decimal IPv4 address (a.b.c.d, each 0 to 255, "
                  "without leading zeros)")
        << host;
  }
}

TEST(ParseUrl, RefusesBadIpv6Literals) {
  EXPECT_EQ(error_of("http://[::1/"), "the IPv6 address lacks its closing ']'");
  EXPECT_EQ(error_of("http://[]/"), "the URL has an empty IPv6 address '[]'");
  EXPECT_EQ(error_of("http://[v1.x]/"), "IPvFuture addresses ('[v...]') are not supported");
  EXPECT_EQ(error_of("http://[fe80::1%25eth0]/"), "IPv6 zone identifiers ('%') are not supported");
  EXPECT_EQ(error_of("http://[::g]/"), "'[::g]' is not a valid IPv6 address");
  EXPECT_EQ(error_of("http://[1:2:3:4:5:6:7:8:9]/"),
            "'[1:2:3:4:5:6:7:8:9]' is not a valid IPv6 address");
  EXPECT_EQ(error_of("http://[127.0.0.1]/"), "'[127.0.0.1]' is not a valid IPv6 address");
  EXPECT_EQ(error_of("http://[::1]x/"), "unexpected text after the IPv6 address: 'x'");
  EXPECT_EQ(error_of("http://::1/"),
            "an IPv6 address must be written in brackets, e.g. http://[::1]:8080/");
  EXPECT_EQ(error_of("http://h:1:2/"),
            "an IPv6 address must be written in brackets, e.g. http://[::1]:8080/");
}

TEST(ParseUrl, PortsAreCheckedForRangeAndOverflow) {
  EXPECT_EQ(parse_url("http://h:1")->port, 1);
  EXPECT_EQ(parse_url("http://h:65535")->port, 65535);
  EXPECT_EQ(parse_url("http://h:00080")->port, 80);
  EXPECT_EQ(error_of("http://h:/"), "the URL has ':' after the host but no port");
  EXPECT_EQ(error_of("http://[::1]:/"), "the URL has ':' after the host but no port");
  EXPECT_EQ(error_of("http://h:x"), "the port 'x' is not a number");
  EXPECT_EQ(error_of("http://h:-1"), "the port '-1' is not a number");
  EXPECT_EQ(error_of("http://h:+80"), "the port '+80' is not a number");
  EXPECT_EQ(error_of("http://h:8 0"), "the URL has a space or control character at offset 10");
  EXPECT_EQ(error_of("http://h:0"), "the port '0' is out of range (1 to 65535)");
  EXPECT_EQ(error_of("http://h:65536"), "the port '65536' is out of range (1 to 65535)");
  EXPECT_EQ(error_of("http://h:99999"), "the port '99999' is out of range (1 to 65535)");
  // Far past any integer type: no overflow wraps it back into range.
  EXPECT_EQ(error_of("http://h:18446744073709551696"),
            "the port '18446744073709551696' is out of range (1 to 65535)");
  EXPECT_EQ(error_of("http://h:4294967376"), "the port '4294967376' is out of range (1 to 65535)");
}

TEST(ParseUrl, RefusesMalformedEscapes) {
  EXPECT_EQ(error_of("http://h/a%zz"),
            "the path has a malformed percent-escape '%zz' ('%' must be followed by two hex "
            "digits)");
  EXPECT_EQ(error_of("http://h/a%4"),
            "the path has a malformed percent-escape '%4' ('%' must be followed by two hex "
            "digits)");
  EXPECT_EQ(error_of("http://h/?x=100%"),
            "the query has a malformed percent-escape '%' ('%' must be followed by two hex "
            "digits)");
  EXPECT_EQ(error_of("http://h/#%g0"),
            "the fragment has a malformed percent-escape '%g0' ('%' must be followed by two hex "
            "digits)");
  EXPECT_TRUE(parse_url("http://h/%41%e2%82%ac?%25=%2B#%00"));
}

TEST(ParseUrl, ErrorIsOptional) {
  EXPECT_FALSE(parse_url("http://h:0"));
  EXPECT_TRUE(parse_url("http://h:1"));
}

std::string authority_error(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_authority(text, &error)) << text;
  return error;
}

TEST(ParseAuthority, HostAndPortOnly) {
  const auto named = parse_authority("Node-B.Example:8080");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->host, "node-b.example");
  EXPECT_EQ(named->port, 8080);
  EXPECT_EQ(named->authority(), "node-b.example:8080");
  EXPECT_EQ(parse_authority("localhost")->authority(), "localhost");
  EXPECT_EQ(parse_authority("[0:0::1]:9")->authority(), "[::1]:9");
  EXPECT_EQ(parse_authority("10.0.0.5")->host, "10.0.0.5");
}

TEST(ParseAuthority, RefusesWhatWouldReshapeAUrlBuiltFromIt) {
  // "http://" + Host + path: a Host with a path, query, fragment or user information would move
  // the path into another part (a Host of "h/client/?hub=chat#" made a REST request's expected
  // audience the client URL).
  EXPECT_EQ(authority_error("h/client/?hub=chat#"),
            "a host[:port] has no '/' (no user information, path, query or fragment)");
  EXPECT_EQ(authority_error("h?x"),
            "a host[:port] has no '?' (no user information, path, query or fragment)");
  EXPECT_EQ(authority_error("h#x"),
            "a host[:port] has no '#' (no user information, path, query or fragment)");
  EXPECT_EQ(authority_error("evil@h"),
            "a host[:port] has no '@' (no user information, path, query or fragment)");
  EXPECT_EQ(authority_error("h\\x"),
            "a host[:port] has no '\\' (no user information, path, query or fragment)");
  // The rest as parse_url reads an authority.
  EXPECT_EQ(authority_error(""), "the host is empty");
  EXPECT_EQ(authority_error("h:"), "the URL has ':' after the host but no port");
  EXPECT_EQ(authority_error("h:99999"), "the port '99999' is out of range (1 to 65535)");
  EXPECT_EQ(authority_error("::1"),
            "an IPv6 address must be written in brackets, e.g. http://[::1]:8080/");
  EXPECT_EQ(authority_error("h x"), "the URL has a space or control character at offset 8");
  EXPECT_EQ(authority_error("a..b"),
            "the host 'a..b' has an empty label (a leading, trailing or doubled '.')");
}

TEST(IsLoopbackHost, NamesThisMachine) {
  for (const char* host : {"localhost", "127.0.0.1", "::1", "[::1]"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"", "localhost.example", "10.0.0.1", "::2", "example.com"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

}  // namespace
}  // namespace switchboard::util
