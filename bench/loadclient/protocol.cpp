// Framing for the four dialects. Parsing is deliberately shallow: the benchmark needs the record
// type and the "ts" field, not a full decoder.
#include "protocol.hpp"

#include <cstring>

namespace lc {
namespace {

constexpr char kRecordSeparator = '\x1e';

std::uint64_t digits(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  std::uint64_t v = 0;
  bool any = false;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + static_cast<std::uint64_t>(s[pos] - '0');
    ++pos;
    any = true;
  }
  return any ? v : 0;
}

int json_type(std::string_view record) {
  auto pos = record.find("\"type\":");
  if (pos == std::string_view::npos) return -1;
  return static_cast<int>(digits(record, pos + 7));
}

std::uint64_t be(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

void on_json_records(std::string_view frame, FrameResult& r, bool handshaken) {
  while (!frame.empty()) {
    auto end = frame.find(kRecordSeparator);
    std::string_view record = frame.substr(0, end);
    frame = end == std::string_view::npos ? std::string_view{} : frame.substr(end + 1);
    if (!handshaken && !r.handshake_done) {
      // The handshake response: {} or {"error":"..."}.
      if (record.find("\"error\"") != std::string_view::npos) r.error = std::string(record);
      r.handshake_done = true;
      continue;
    }
    switch (json_type(record)) {
      case 1:
        r.timestamps.push_back(find_json_ts(record));
        break;
      case 6:
        ++r.pings;
        break;
      case 7:
        r.closed = true;
        break;
      default:
        break;
    }
  }
}

void on_msgpack_records(std::string_view frame, FrameResult& r) {
  auto* p = reinterpret_cast<const unsigned char*>(frame.data());
  std::size_t n = frame.size(), i = 0;
  while (i < n) {
    // Length prefix: 7 bits per byte, low groups first.
    std::size_t length = 0;
    int shift = 0;
    while (i < n) {
      unsigned char b = p[i++];
      length |= static_cast<std::size_t>(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (i + length > n || length < 2) return;
    std::string_view message(frame.data() + i, length);
    unsigned char type = p[i + 1];  // [fixarray header, message type (positive fixint), ...]
    if (type == 1)
      r.timestamps.push_back(find_msgpack_ts(message));
    else if (type == 6)
      ++r.pings;
    else if (type == 7)
      r.closed = true;
    i += length;
  }
}

}  // namespace

std::optional<Protocol> parse_protocol(std::string_view name) {
  if (name == "json") return Protocol::json;
  if (name == "msgpack" || name == "messagepack") return Protocol::msgpack;
  if (name == "ws") return Protocol::ws;
  if (name == "socketio" || name == "socket.io") return Protocol::socketio;
  return std::nullopt;
}

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::json:
      return "json";
    case Protocol::msgpack:
      return "msgpack";
    case Protocol::ws:
      return "ws";
    case Protocol::socketio:
      return "socketio";
  }
  return "?";
}

bool is_signalr(Protocol p) {
  return p == Protocol::json || p == Protocol::msgpack;
}

std::string opening_frame(Protocol p) {
  switch (p) {
    case Protocol::json:
      return std::string("{\"protocol\":\"json\",\"version\":1}") + kRecordSeparator;
    case Protocol::msgpack:
      return std::string("{\"protocol\":\"messagepack\",\"version\":1}") + kRecordSeparator;
    default:
      return {};
  }
}

std::string keepalive_frame(Protocol p) {
  if (p == Protocol::json) return std::string("{\"type\":6}") + kRecordSeparator;
  if (p == Protocol::msgpack) return std::string("\x02\x91\x06", 3);  // length 2, [6]
  return {};
}

FrameResult on_frame(Protocol p, std::string_view frame, bool binary, bool handshaken) {
  FrameResult r;
  switch (p) {
    case Protocol::json:
      on_json_records(frame, r, handshaken);
      break;
    case Protocol::msgpack:
      // The handshake response is JSON (in a text or a binary frame); records after it may share
      // its frame.
      if (!handshaken && !binary)
        on_json_records(frame, r, handshaken);
      else if (!handshaken) {
        auto end = frame.find(kRecordSeparator);
        on_json_records(frame.substr(0, end == std::string_view::npos ? frame.size() : end + 1), r,
                        false);
        if (end != std::string_view::npos) on_msgpack_records(frame.substr(end + 1), r);
      } else
        on_msgpack_records(frame, r);
      break;
    case Protocol::ws:
      r.timestamps.push_back(find_json_ts(frame));
      break;
    case Protocol::socketio:
      if (frame.empty()) break;
      if (frame[0] == '0') {  // Engine.IO open: join the default namespace
        r.replies.emplace_back("40");
      } else if (frame[0] == '2') {  // Engine.IO ping
        r.replies.emplace_back("3");
        ++r.pings;
      } else if (frame.starts_with("40")) {
        r.handshake_done = true;
      } else if (frame.starts_with("44")) {
        r.error = std::string(frame);
      } else if (frame.starts_with("41") || frame[0] == '1') {
        r.closed = true;
      } else if (frame.starts_with("42")) {
        r.timestamps.push_back(find_json_ts(frame));
      }
      break;
  }
  return r;
}

std::uint64_t find_json_ts(std::string_view text) {
  std::size_t from = 0;
  while (true) {
    auto pos = text.find("ts", from);
    if (pos == std::string_view::npos) return 0;
    std::size_t k = pos + 2;
    if (k < text.size() && text[k] == '\\') ++k;
    bool quoted = pos > 0 && text[pos - 1] == '"';
    if (quoted && k + 1 < text.size() && text[k] == '"' && text[k + 1] == ':')
      return digits(text, k + 2);
    from = pos + 2;
  }
}

std::uint64_t find_msgpack_ts(std::string_view bytes) {
  static constexpr char key[] = {'\xa2', 't', 's'};
  auto pos = bytes.find(std::string_view(key, 3));
  if (pos == std::string_view::npos || pos + 3 >= bytes.size()) return 0;
  auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + pos + 3;
  std::size_t left = bytes.size() - pos - 3;
  unsigned char tag = p[0];
  if (tag < 0x80) return tag;
  auto need = [&](std::size_t k) { return left >= k + 1; };
  switch (tag) {
    case 0xcc:
      return need(1) ? be(p + 1, 1) : 0;
    case 0xcd:
      return need(2) ? be(p + 1, 2) : 0;
    case 0xce:
    case 0xd2:
      return need(4) ? be(p + 1, 4) : 0;
    case 0xcf:
    case 0xd3:
      return need(8) ? be(p + 1, 8) : 0;
    case 0xcb: {
      if (!need(8)) return 0;
      std::uint64_t bits = be(p + 1, 8);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d > 0 ? static_cast<std::uint64_t>(d) : 0;
    }
    default:
      return 0;
  }
}

}  // namespace lc
