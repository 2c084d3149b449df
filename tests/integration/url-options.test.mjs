// Options and settings that take a URL refuse a bad one at start-up with the reason the one URL
// parser (util::parse_url, docs/urls.md) gives: --public-url, --upstream, --redis, a connection
// string's Endpoint. Nothing is listening afterwards.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { logged, BINARY } from "./helpers.mjs";

const run = (args) => spawnSync(BINARY, ["service", "--port", "0", ...args], { encoding: "utf8", timeout: 10000 });

describe("URLs given to the service at start-up", () => {
  const cases = [
    [["--public-url", "ftp://10.0.0.5:8888"], /--public-url: not an http or https URL: the scheme 'ftp' is not http or https/],
    [["--public-url", "http://10.0.0.5:65536"], /--public-url: not an http or https URL: the port '65536' is out of range \(1 to 65535\)/],
    [["--public-url", "http://1.2.3:8888"], /the host '1\.2\.3' is neither a name nor a dotted-decimal IPv4 address/],
    [["--public-url", "http://u:p@node-b:8888"], /user information, a query or a fragment is not allowed/],
    [["--upstream", "http://127.0.0.1:99999/api"], /is not a valid URL: the port '99999' is out of range \(1 to 65535\)/],
    [["--upstream", "http://[::1/api"], /is not a valid URL: the IPv6 address lacks its closing '\]'/],
    [["--redis", "redis://127.0.0.1:99999"], /--redis: the port '99999' is out of range \(1 to 65535\)/],
    [["--redis", "redis://1.2.3:6379"], /--redis: the host '1\.2\.3' is neither a name nor a dotted-decimal IPv4 address/],
    [["--redis", "redis://:a@b@127.0.0.1"], /--redis: the URL has more than one '@' before the host/],
    [
      ["--connection-string", "Endpoint=http://localhost:0;AccessKey=k;Version=1.0;"],
      /Connection string: 'Endpoint' must be an absolute http or https URI, got 'http:\/\/localhost:0': the port '0' is out of range \(1 to 65535\)/,
    ],
  ];
  for (const [args, expected] of cases) {
    test(
      `${args.join(" ")}: refused with the parser's reason`,
      logged(async () => {
        const r = run(args);
        assert.notEqual(r.status, 0, `exit code; stdout=${r.stdout}`);
        assert.match(r.stderr, expected);
        assert.equal(r.stdout.includes("listening"), false);
      }),
    );
  }

  test(
    "a valid --public-url with an IPv6 address is accepted",
    logged(async () => {
      // Fails fast for another reason (no Redis), after the option was accepted.
      const r = run(["--public-url", "http://[::1]:8888", "--redis", "redis://127.0.0.1:1", "--redis-connect-timeout", "0.2"]);
      assert.doesNotMatch(r.stderr, /--public-url/);
      // The timeout is named as given (it was printed rounded down to "0 s").
      assert.match(r.stderr, /Redis at redis:\/\/127\.0\.0\.1:1 could not be reached in 0\.2 s \(--redis-connect-timeout\)/);
    }),
  );
});
