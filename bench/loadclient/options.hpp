// Command-line options of the load client (see usage() in options.cpp).
#pragma once
#include <string>
#include <vector>

#include "protocol.hpp"

namespace lc {

struct Endpoint {
  std::string host;
  unsigned short port = 0;
};

struct Options {
  Protocol protocol = Protocol::json;
  std::string host = "127.0.0.1";
  unsigned short port = 8888;
  std::vector<Endpoint>
      targets;  // --targets H:P,H:P (client i uses targets[i % n]); else {host, port}
  int clients = 100;
  std::string hub = "bench";
  std::string access_key;        // SignalR: mints client (and REST) tokens
  int sources = 0;               // 127.0.0.x source addresses (0: one per 20,000 clients)
  int connect_concurrency = 64;  // negotiate + connect in flight
  // SignalR: every client negotiates first (untimed, 64 at a time); the timed setup, started by
  // "go" on stdin, is the WebSocket and the handshake alone.
  bool negotiate_first = false;
  int groups = 0;        // client i joins group g(i % groups)
  int keepalive_s = 10;  // SignalR: client Ping every N seconds (the service drops silent clients)
  // The built-in sender, started by the "send" command on stdin.
  unsigned short send_port = 0;       // 0: --port
  std::string send_path;              // e.g. /api/hubs/bench/:send?api-version=2022-06-01
  std::string send_auth;              // Bearer token; "mint" mints a REST token with --access-key
  std::string send_body = "signalr";  // signalr ({"target","arguments":[payload]}) or raw (payload)
  double rate = 100;                  // sends per second
  double duration_s = 5;
  int pad = 60;  // bytes of padding in the payload
};

// Parses argv; prints usage and exits on error or --help.
Options parse_options(int argc, char** argv);

}  // namespace lc
