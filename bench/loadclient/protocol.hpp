// The four client dialects: SignalR JSON and MessagePack hub protocols, plain WebSocket text, and
// Socket.IO v4 over WebSocket. Each turns a received frame into deliveries (with the sender's
// "ts" timestamp) and the frames to answer (handshakes, pongs).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lc {

enum class Protocol { json, msgpack, ws, socketio };

std::optional<Protocol> parse_protocol(std::string_view name);
const char* protocol_name(Protocol p);
bool is_signalr(Protocol p);

// What one received frame meant.
struct FrameResult {
  std::vector<std::uint64_t> timestamps;  // one per delivery; 0 when the payload had no "ts"
  std::vector<std::string> replies;       // frames to send back (text)
  unsigned pings = 0;
  bool handshake_done = false;  // SignalR handshake response / Socket.IO connect ack
  bool closed = false;          // SignalR Close record / Socket.IO disconnect
  std::string error;            // handshake error, if any
};

// The first frame a client sends once the WebSocket is open (empty: none).
std::string opening_frame(Protocol p);
// A keep-alive frame the client sends periodically (empty: none needed).
std::string keepalive_frame(Protocol p);
// Interprets one received frame. `binary` tells MessagePack frames from the handshake's text.
FrameResult on_frame(Protocol p, std::string_view frame, bool binary, bool handshaken);

// The value of the "ts" field in a JSON text (also inside an escaped JSON string), or 0.
std::uint64_t find_json_ts(std::string_view text);
// The value of the "ts" key of a MessagePack map inside `bytes`, or 0.
std::uint64_t find_msgpack_ts(std::string_view bytes);

}  // namespace lc
