// Option parsing: --name value pairs, nothing clever.
#include "options.hpp"

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace lc {
namespace {

[[noreturn]] void usage(int code) {
  std::cerr <<
      R"(switchboard-loadclient: many WebSocket clients on one thread; reports deliveries and latency as JSON.
  --protocol json|msgpack|ws|socketio   dialect (default json: SignalR JSON hub protocol)
  --host H --port P                     server (default 127.0.0.1:8888)
  --targets H:P,H:P,...                 several servers (cluster nodes): client i negotiates with and
                                        connects to the (i mod n)-th; the sender still uses --host
  --clients N                           connections (default 100)
  --hub H                               SignalR hub (default bench)
  --access-key K                        SignalR access key (tokens are minted with it)
  --sources N                           source addresses 127.0.0.1..N (default: one per 20,000 clients)
  --connect-concurrency N               connections being set up at once (default 64)
  --negotiate-first 1                   SignalR: negotiate every client first (not timed), print
                                        "NEGOTIATED <n> <s>" and wait for "go" on stdin; the timed
                                        setup (READY, RECONNECTED) is the WebSocket and handshake
  --groups G                            client i joins group g<i%G> (SignalR: REST PUT; peers: ?group=)
  --keepalive S                         SignalR client pings every S seconds (default 10)
  --send-port P --send-path PATH        the built-in sender's target (POST)
  --send-auth TOKEN|mint                its Bearer token ("mint": a REST token from --access-key)
  --send-body signalr|raw               wrap the payload as a REST send body, or post it raw
  --rate R --duration S --pad N         sends per second, seconds, payload padding
stdin commands once "READY" is printed on stderr:
  send [RATE [PAD]]
           run the sender (RATE or --rate sends/s, PAD or --pad, for --duration s); prints
           "SENT <ok> <failed>" on stderr
  go       start the timed setup after "NEGOTIATED" (--negotiate-first 1)
  report   print the statistics since the last report as one JSON line, then reset them
  reconnect N
           drop the first N open connections at once (abruptly: RST) and set them up again, all N at
           once; prints "DROPPED <n>", then "RECONNECTED connected=.. failed=.. setup_s=.." on stderr
  stop     (or end of input) print the report and exit
)";
  std::exit(code);
}

std::vector<Endpoint> parse_targets(const std::string& list) {
  std::vector<Endpoint> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    std::string item =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) usage(2);
    out.push_back(
        {item.substr(0, colon), static_cast<unsigned short>(std::stoi(item.substr(colon + 1)))});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (name == "--help" || name == "-h") usage(0);
    if (i + 1 >= argc) usage(2);
    std::string value = argv[++i];
    try {
      if (name == "--protocol") {
        auto p = parse_protocol(value);
        if (!p) usage(2);
        o.protocol = *p;
      } else if (name == "--host")
        o.host = value;
      else if (name == "--port")
        o.port = static_cast<unsigned short>(std::stoi(value));
      else if (name == "--targets")
        o.targets = parse_targets(value);
      else if (name == "--clients")
        o.clients = std::stoi(value);
      else if (name == "--hub")
        o.hub = value;
      else if (name == "--access-key")
        o.access_key = value;
      else if (name == "--sources")
        o.sources = std::stoi(value);
      else if (name == "--connect-concurrency")
        o.connect_concurrency = std::stoi(value);
      else if (name == "--negotiate-first")
        o.negotiate_first = value == "1";
      else if (name == "--groups")
        o.groups = std::stoi(value);
      else if (name == "--keepalive")
        o.keepalive_s = std::stoi(value);
      else if (name == "--send-port")
        o.send_port = static_cast<unsigned short>(std::stoi(value));
      else if (name == "--send-path")
        o.send_path = value;
      else if (name == "--send-auth")
        o.send_auth = value;
      else if (name == "--send-body")
        o.send_body = value;
      else if (name == "--rate")
        o.rate = std::stod(value);
      else if (name == "--duration")
        o.duration_s = std::stod(value);
      else if (name == "--pad")
        o.pad = std::stoi(value);
      else
        usage(2);
    } catch (const std::exception&) {
      usage(2);
    }
  }
  if (o.sources <= 0) o.sources = o.clients / 20000 + 1;
  if (o.sources > 250) o.sources = 250;
  if (o.send_port == 0) o.send_port = o.port;
  if (o.targets.empty()) o.targets.push_back({o.host, o.port});
  if (is_signalr(o.protocol) && o.access_key.empty()) {
    std::cerr << "--access-key is required for the SignalR protocols\n";
    std::exit(2);
  }
  return o;
}

}  // namespace lc
