// Unit tests for connection string parsing, validation errors and the derived URLs.
#include "auth/connection_string.hpp"

#include <gtest/gtest.h>

namespace switchboard::auth {
namespace {

constexpr std::string_view kEmulator =
    "Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;"
    "Version=1.0;";

// The ConfigError message of parsing `text`, or "" when it parses.
std::string error_of(std::string_view text) {
  try {
    ConnectionString::parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConnectionString, ParsesTheEmulatorExample) {
  const auto cs = ConnectionString::parse(kEmulator);
  EXPECT_EQ(cs.endpoint, "http://localhost");
  EXPECT_EQ(cs.port, 8888);
  EXPECT_EQ(cs.access_key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH");
  EXPECT_EQ(cs.version, "1.0");
  EXPECT_EQ(cs.client_endpoint, "");
  EXPECT_EQ(cs.server_endpoint, "");
  EXPECT_EQ(cs.auth_type, "");
  EXPECT_EQ(cs.base_url(), "http://localhost:8888/");
  EXPECT_EQ(cs.audience_base(), "http://localhost/");
  EXPECT_EQ(cs.client_url("Chat"), "http://localhost:8888/client/?hub=chat");
  EXPECT_EQ(cs.client_audience("Chat"), "http://localhost/client/?hub=chat");
  EXPECT_EQ(cs.server_base_url(), "http://localhost:8888/");
}

TEST(ConnectionString, AzureFormWithoutPortOrVersion) {
  const auto cs = ConnectionString::parse("Endpoint=https://x.service.signalr.net/;AccessKey=k");
  EXPECT_EQ(cs.endpoint, "https://x.service.signalr.net");
  EXPECT_FALSE(cs.port.has_value());
  EXPECT_EQ(cs.version, "");
  EXPECT_EQ(cs.base_url(), "https://x.service.signalr.net/");
  EXPECT_EQ(cs.audience_base(), "https://x.service.signalr.net/");
  EXPECT_EQ(cs.client_url("hub1"), "https://x.service.signalr.net/client/?hub=hub1");
}

TEST(ConnectionString, KeysAreCaseInsensitiveAndWhitespaceIsTrimmed) {
  const auto cs = ConnectionString::parse(
      "  endpoint = http://LocalHost:5000/ ;  ACCESSKEY= secret ; version=1.0 ;PORT = 7000;;");
  EXPECT_EQ(cs.endpoint, "http://LocalHost:5000");
  EXPECT_EQ(cs.access_key, "secret");
  EXPECT_EQ(cs.version, "1.0");
  EXPECT_EQ(cs.port, 7000);
  // Port replaces the endpoint's port; scheme and host come out lower-cased.
  EXPECT_EQ(cs.base_url(), "http://localhost:7000/");
  EXPECT_EQ(cs.audience_base(), "http://localhost/");
}

TEST(ConnectionString, ValueSplitsOnTheFirstEquals) {
  const auto cs = ConnectionString::parse("Endpoint=http://h;AccessKey=abc==def=;Version=1.0");
  EXPECT_EQ(cs.access_key, "abc==def=");
}

TEST(ConnectionString, EndpointPortIsKeptWithoutPortProperty) {
  const auto cs = ConnectionString::parse("Endpoint=http://localhost:8080;AccessKey=k");
  EXPECT_EQ(cs.base_url(), "http://localhost:8080/");
  EXPECT_EQ(cs.audience_base(), "http://localhost/");
  EXPECT_EQ(cs.client_audience("chat"), "http://localhost/client/?hub=chat");
}

TEST(ConnectionString, EndpointPathIsKeptInBaseButNotInAudience) {
  const auto cs = ConnectionString::parse("Endpoint=https://h/signalr/;AccessKey=k;Port=8443");
  EXPECT_EQ(cs.endpoint, "https://h/signalr");
  EXPECT_EQ(cs.base_url(), "https://h:8443/signalr/");
  EXPECT_EQ(cs.client_url("Chat"), "https://h:8443/signalr/client/?hub=chat");
  EXPECT_EQ(cs.audience_base(), "https://h/");
}

TEST(ConnectionString, DefaultPortIsNotWritten) {
  EXPECT_EQ(ConnectionString::parse("Endpoint=https://h;AccessKey=k;Port=443").base_url(),
            "https://h/");
  EXPECT_EQ(ConnectionString::parse("Endpoint=http://h:8080;AccessKey=k;Port=80").base_url(),
            "http://h/");
}

TEST(ConnectionString, ClientAndServerEndpoints) {
  const auto cs = ConnectionString::parse(
      "Endpoint=https://svc.example.com;AccessKey=k;Version=1.0;"
      "ClientEndpoint=https://clients.example.com:4443/;ServerEndpoint=http://10.0.0.5:8080");
  EXPECT_EQ(cs.client_endpoint, "https://clients.example.com:4443");
  EXPECT_EQ(cs.server_endpoint, "http://10.0.0.5:8080");
  EXPECT_EQ(cs.client_url("Chat"), "https://clients.example.com:4443/client/?hub=chat");
  EXPECT_EQ(cs.server_base_url(), "http://10.0.0.5:8080/");
  // The audience never uses the client or server endpoint.
  EXPECT_EQ(cs.client_audience("Chat"), "https://svc.example.com/client/?hub=chat");
  EXPECT_EQ(cs.base_url(), "https://svc.example.com/");
}

TEST(ConnectionString, AuthTypeMakesAccessKeyOptionalAndUnknownKeysAreIgnored) {
  const auto cs = ConnectionString::parse(
      "Endpoint=https://h;AuthType=Azure.App;ClientId=abc;TenantId=t;ClientSecret=s;"
      "ClientCert=c;Version=1.0");
  EXPECT_EQ(cs.auth_type, "Azure.App");
  EXPECT_EQ(cs.access_key, "");
  for (const char* type : {"aad", "azure", "azure.msi", "AAD"}) {
    EXPECT_EQ(error_of(std::string("Endpoint=https://h;AuthType=") + type), "") << type;
  }
  EXPECT_EQ(error_of("Endpoint=https://h;AccessKey=k;Foo=bar"), "");
}

TEST(ConnectionString, VersionForms) {
  for (const char* version : {"1.0", "1.1", "1.10", "1.0-preview", "1.0.beta_2"}) {
    EXPECT_EQ(error_of(std::string("Endpoint=http://h;AccessKey=k;Version=") + version), "")
        << version;
  }
  for (const char* version : {"2.0", "1", "1.", "1.x", "v1.0", "1.0 beta", "1.0+x", ""}) {
    EXPECT_EQ(
        error_of(std::string("Endpoint=http://h;AccessKey=k;Version=") + version),
        std::string("Connection string: 'Version' must look like '1.0', got '") + version + "'")
        << version;
  }
}

TEST(ConnectionString, PortErrors) {
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=k;Port=abc"),
            "Connection string: 'Port' must be an integer between 1 and 65535, got 'abc'");
  // "8888884483": more digits than an int holds (found by the connection_string fuzz target:
  // the digits were added up past int's range before the length check refused them).
  for (const char* port : {"0", "65536", "-1", "", "12a", "1.5", "999999", "8888884483"}) {
    EXPECT_EQ(error_of(std::string("Endpoint=http://h;AccessKey=k;Port=") + port),
              std::string("Connection string: 'Port' must be an integer between 1 and 65535, "
                          "got '") +
                  port + "'")
        << port;
  }
  EXPECT_EQ(ConnectionString::parse("Endpoint=http://h;AccessKey=k;Port=1").port, 1);
  EXPECT_EQ(ConnectionString::parse("Endpoint=http://h;AccessKey=k;Port=65535").port, 65535);
}

TEST(ConnectionString, StructuralErrors) {
  EXPECT_EQ(error_of(""),
            "Connection string: expected at least 'Endpoint' and 'AccessKey', got 0 properties");
  EXPECT_EQ(error_of(" ; ;"),
            "Connection string: expected at least 'Endpoint' and 'AccessKey', got 0 properties");
  EXPECT_EQ(error_of("Endpoint=http://h;"),
            "Connection string: expected at least 'Endpoint' and 'AccessKey', got 1 property");
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey"),
            "Connection string: 'AccessKey' is not a 'Key=Value' pair");
  EXPECT_EQ(error_of("Endpoint=http://h;=value;AccessKey=k"),
            "Connection string: a property has an empty key");
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=k;accesskey=j"),
            "Connection string: duplicate key 'accesskey'");
  EXPECT_EQ(error_of("Endpoint=http://h;ENDPOINT=http://g"),
            "Connection string: duplicate key 'ENDPOINT'");
}

TEST(ConnectionString, RequiredFieldErrors) {
  EXPECT_EQ(error_of("AccessKey=k;Version=1.0"), "Connection string: 'Endpoint' is required");
  EXPECT_EQ(error_of("Endpoint=;AccessKey=k"), "Connection string: 'Endpoint' is required");
  EXPECT_EQ(error_of("Endpoint=http://h;Version=1.0"),
            "Connection string: 'AccessKey' is required");
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=;Version=1.0"),
            "Connection string: 'AccessKey' must not be empty");
  EXPECT_EQ(error_of("Endpoint=http://h;AuthType=kerberos"),
            "Connection string: 'AuthType' must be one of aad, azure, azure.app, azure.msi, got "
            "'kerberos'");
}

TEST(ConnectionString, UriErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"localhost", "the URL has no scheme (expected scheme://host, e.g. https://example.com)"},
      {"ftp://h", "the scheme 'ftp' is not http or https"},
      {"ws://h", "the scheme 'ws' is not http or https"},
      {"http://", "the URL has no host"},
      {"http:/h", "the URL has no '//' after 'http:' (expected http://host)"},
      {"//h", "the URL has no scheme (expected scheme://host, e.g. https://example.com)"},
      {"http://h:99999", "the port '99999' is out of range (1 to 65535)"},
      {"http://h:0", "the port '0' is out of range (1 to 65535)"},
      {"http://h:", "the URL has ':' after the host but no port"},
      {"http://h:x", "the port 'x' is not a number"},
      {"http://h x", "the URL has a space or control character at offset 8"},
      {"http://user:pw@h", "user information ('...@') is not allowed"},
      {"http://h/?hub=x", "a query ('?...') is not allowed"},
      {"http://h/#x", "a fragment ('#...') is not allowed"},
      {"http://::1", "an IPv6 address must be written in brackets, e.g. http://[::1]:8080/"},
      {"http://1.2.3",
       "the host '1.2.3' is neither a name nor a dotted-decimal IPv4 address "
       "(a.b.c.d, each 0 to 255, without leading zeros)"},
  };
  for (const auto& [endpoint, why] : cases) {
    EXPECT_EQ(error_of(std::string("Endpoint=") + endpoint + ";AccessKey=k"),
              std::string("Connection string: 'Endpoint' must be an absolute http or https URI, "
                          "got '") +
                  endpoint + "': " + why)
        << endpoint;
  }
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=k;ClientEndpoint=h2"),
            "Connection string: 'ClientEndpoint' must be an absolute http or https URI, got 'h2': "
            "the URL has no scheme (expected scheme://host, e.g. https://example.com)");
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=k;ServerEndpoint=tcp://h2"),
            "Connection string: 'ServerEndpoint' must be an absolute http or https URI, got "
            "'tcp://h2': the scheme 'tcp' is not http or https");
}

TEST(ConnectionString, Ipv6Endpoints) {
  const auto cs = ConnectionString::parse("Endpoint=http://[::1]:8080;AccessKey=k");
  EXPECT_EQ(cs.base_url(), "http://[::1]:8080/");
  EXPECT_EQ(cs.audience_base(), "http://[::1]/");
  EXPECT_EQ(cs.client_url("Chat"), "http://[::1]:8080/client/?hub=chat");
  EXPECT_TRUE(cs.names_this_machine());
  EXPECT_EQ(cs.port_number(), 8080);
  EXPECT_EQ(
      ConnectionString::parse("Endpoint=https://[2001:DB8::1];AccessKey=k;Port=9443").base_url(),
      "https://[2001:db8::1]:9443/");
}

TEST(ConnectionString, NamesThisMachine) {
  // The form `switchboard service` prints: no port in the endpoint, Port apart. (The functions
  // host used to read the host of this text up to the next ':' or '/', and took
  // "localhost;Port=8888;AccessKey=..." for a remote host.)
  EXPECT_TRUE(ConnectionString::parse(kEmulator).names_this_machine());
  for (const char* endpoint : {"http://localhost", "http://LOCALHOST:7000/x", "http://127.0.0.1",
                               "https://[::1]", "http://[0:0::1]"}) {
    EXPECT_TRUE(ConnectionString::parse(std::string("Endpoint=") + endpoint + ";AccessKey=k")
                    .names_this_machine())
        << endpoint;
  }
  for (const char* endpoint : {"http://localhost.example", "https://x.service.signalr.net",
                               "http://10.0.0.1", "http://[::2]"}) {
    EXPECT_FALSE(ConnectionString::parse(std::string("Endpoint=") + endpoint + ";AccessKey=k")
                     .names_this_machine())
        << endpoint;
  }
}

TEST(ConnectionString, PortNumber) {
  EXPECT_EQ(ConnectionString::parse(kEmulator).port_number(), 8888);
  EXPECT_EQ(ConnectionString::parse("Endpoint=http://h;AccessKey=k").port_number(), 80);
  EXPECT_EQ(ConnectionString::parse("Endpoint=https://h;AccessKey=k").port_number(), 443);
  EXPECT_EQ(ConnectionString::parse("Endpoint=https://h:8443/;AccessKey=k").port_number(), 8443);
  EXPECT_EQ(ConnectionString::parse("Endpoint=https://h:8443/;AccessKey=k;Port=9000").port_number(),
            9000);
  EXPECT_EQ(ConnectionString::parse("Endpoint=https://H:8443/;AccessKey=k").endpoint_url().host,
            "h");
}

TEST(ConnectionString, ToStringRoundTrips) {
  const auto emulator = ConnectionString::parse(kEmulator);
  EXPECT_EQ(emulator.to_string(), kEmulator);

  const auto plain = ConnectionString::parse("endpoint=https://h/;accesskey=k==");
  EXPECT_EQ(plain.to_string(), "Endpoint=https://h;AccessKey=k==;Version=1.0;");
  const auto again = ConnectionString::parse(plain.to_string());
  EXPECT_EQ(again.endpoint, plain.endpoint);
  EXPECT_EQ(again.access_key, plain.access_key);
  EXPECT_EQ(again.port, plain.port);

  const auto full = ConnectionString::parse(
      "Endpoint=https://h;AccessKey=k;Port=9000;Version=1.1;ClientEndpoint=https://c;"
      "ServerEndpoint=https://s;AuthType=aad");
  const auto copy = ConnectionString::parse(full.to_string());
  EXPECT_EQ(copy.endpoint, full.endpoint);
  EXPECT_EQ(copy.access_key, full.access_key);
  EXPECT_EQ(copy.port, full.port);
  EXPECT_EQ(copy.version, "1.1");
  EXPECT_EQ(copy.client_endpoint, full.client_endpoint);
  EXPECT_EQ(copy.server_endpoint, full.server_endpoint);
  EXPECT_EQ(copy.auth_type, full.auth_type);
  EXPECT_EQ(copy.to_string(), full.to_string());
}

TEST(ConnectionString, OddButValidForms) {
  // Leading zeros in Port, '=' inside a value, an upper-case scheme, a path kept in every URL.
  EXPECT_EQ(ConnectionString::parse("Endpoint=http://h;AccessKey=k;Port=00080").port, 80);
  const auto cs = ConnectionString::parse("Endpoint=HTTPS://H.Example/base/;AccessKey=a=b=;");
  EXPECT_EQ(cs.access_key, "a=b=");
  EXPECT_EQ(cs.endpoint, "HTTPS://H.Example/base");
  EXPECT_EQ(cs.base_url(), "https://h.example/base/");
  EXPECT_EQ(cs.audience_base(), "https://h.example/");
  EXPECT_EQ(cs.client_url("Chat"), "https://h.example/base/client/?hub=chat");
}

TEST(ConnectionString, LongGarbageIsQuotedShort) {
  const std::string garbage(500, 'x');
  EXPECT_EQ(error_of("Endpoint=http://h;AccessKey=k;" + garbage),
            "Connection string: '" + std::string(64, 'x') + "' is not a 'Key=Value' pair");
}

TEST(ConnectionString, ErrorIsARuntimeError) {
  EXPECT_THROW(ConnectionString::parse("nonsense"), ConfigError);
  EXPECT_THROW(ConnectionString::parse("nonsense"), std::runtime_error);
}

}  // namespace
}  // namespace switchboard::auth
