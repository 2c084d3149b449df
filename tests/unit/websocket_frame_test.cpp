// Unit tests for the WebSocket wire format: the RFC 6455 accept value, handshake header checks,
// server frame headers, and the streaming client frame reader (masking, fragmentation, control
// frames, frames split at every byte, every protocol violation it must refuse).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/websocket_frame.hpp"

namespace {

using namespace switchboard::protocol;

// A masked client frame as a browser would send it.
std::string client_frame(std::uint8_t first_byte, std::string_view payload,
                         const char mask[4] = "\x12\x34\x56\x78") {
  std::string frame(1, static_cast<char>(first_byte));
  if (payload.size() <= 125) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>(payload.size() >> (8 * i)));
  }
  frame.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(payload[i] ^ mask[i % 4]);
  return frame;
}

struct Recorder : WebSocketReader::Listener {
  std::string data;
  std::vector<std::pair<WebSocketOpcode, std::string>> controls;
  void on_data(std::string_view payload) override { data.append(payload); }
  void on_control(WebSocketOpcode opcode, std::string_view payload) override {
    controls.emplace_back(opcode, std::string(payload));
  }
};

// One random character as UTF-8: ASCII, or a 2-, 3- or 4-byte sequence.
std::string random_character(std::mt19937& random) {
  std::uint32_t code = 0;
  switch (random() % 4) {
    case 0:
      code = random() % 0x80;
      break;
    case 1:
      code = 0x80 + random() % (0x800 - 0x80);
      break;
    case 2:
      do code = 0x800 + random() % (0x10000 - 0x800);
      while (code >= 0xD800 && code <= 0xDFFF);
      break;
    default:
      code = 0x10000 + random() % (0x110000 - 0x10000);
      break;
  }
  std::string out;
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
  return out;
}

bool feed(WebSocketReader& reader, Recorder& recorder, std::string bytes) {
  return reader.consume(bytes.data(), bytes.size(), recorder);
}

TEST(WebSocketHandshake, AcceptValueMatchesTheRfcExample) {
  EXPECT_EQ(websocket_accept_value("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, UpgradeResponseCarriesTheAcceptValue) {
  EXPECT_EQ(websocket_upgrade_response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: switchboard\r\n\r\n");
}

TEST(WebSocketHandshake, ChecksVersionAndKey) {
  auto ok = check_websocket_handshake("13", "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(ok.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_TRUE(ok.error.empty());

  auto old = check_websocket_handshake("8", "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(old.accept.empty());
  EXPECT_TRUE(old.wrong_version);
  EXPECT_EQ(old.error, "Unsupported Sec-WebSocket-Version (expected 13).");
  EXPECT_EQ(check_websocket_handshake("", "x").error,
            "Missing Sec-WebSocket-Version header (expected 13).");

  auto missing = check_websocket_handshake("13", "");
  EXPECT_FALSE(missing.wrong_version);
  EXPECT_EQ(missing.error, "Missing Sec-WebSocket-Key header.");
  EXPECT_EQ(check_websocket_handshake("13", "c2hvcnQ=").error,
            "Sec-WebSocket-Key must be 16 bytes in base64.");
  EXPECT_EQ(check_websocket_handshake("13", "not base64 at all!").error,
            "Sec-WebSocket-Key must be 16 bytes in base64.");
}

TEST(WebSocketFrameHeader, UsesTheShortestLengthForm) {
  unsigned char header[10];
  ASSERT_EQ(encode_websocket_header(WebSocketOpcode::Text, 125, header), 2u);
  EXPECT_EQ(header[0], 0x81);
  EXPECT_EQ(header[1], 125);
  ASSERT_EQ(encode_websocket_header(WebSocketOpcode::Binary, 126, header), 4u);
  EXPECT_EQ(header[0], 0x82);
  EXPECT_EQ(header[1], 126);
  EXPECT_EQ(header[2], 0);
  EXPECT_EQ(header[3], 126);
  ASSERT_EQ(encode_websocket_header(WebSocketOpcode::Binary, 0x10000, header), 10u);
  EXPECT_EQ(header[1], 127);
  EXPECT_EQ(std::vector<unsigned char>(header + 2, header + 10),
            (std::vector<unsigned char>{0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(WebSocketFrameHeader, CloseFrameCarriesCodeAndReason) {
  EXPECT_EQ(websocket_close_frame(1000), std::string("\x88\x02\x03\xe8", 4));
  EXPECT_EQ(websocket_close_frame(1002, "bad"), std::string("\x88\x05\x03\xea"
                                                            "bad",
                                                            7));
  EXPECT_EQ(websocket_control_frame(WebSocketOpcode::Pong, "hi"), std::string("\x8a\x02hi", 4));
}

TEST(WebSocketReader, UnmasksTextAndBinaryFrames) {
  WebSocketReader reader;
  Recorder recorder;
  ASSERT_TRUE(feed(reader, recorder, client_frame(0x81, "{\"protocol\":\"json\"}\x1e")));
  ASSERT_TRUE(feed(reader, recorder, client_frame(0x82, std::string("\x01\x02", 2))));
  EXPECT_EQ(recorder.data, std::string("{\"protocol\":\"json\"}\x1e\x01\x02"));
  EXPECT_TRUE(recorder.controls.empty());
}

TEST(WebSocketReader, ExtendedLengthsAndSplitsAtEveryByte) {
  const std::string medium(300, 'm');
  const std::string large(70000, 'L');
  const std::string stream = client_frame(0x81, "a") + client_frame(0x81, medium) +
                             client_frame(0x89, "ping!") + client_frame(0x82, large) +
                             client_frame(0x81, "");
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{4096}}) {
    WebSocketReader reader;
    Recorder recorder;
    for (std::size_t at = 0; at < stream.size(); at += piece)
      ASSERT_TRUE(feed(reader, recorder, stream.substr(at, piece))) << "piece " << piece;
    EXPECT_EQ(recorder.data, "a" + medium + large) << "piece " << piece;
    ASSERT_EQ(recorder.controls.size(), 1u);
    EXPECT_EQ(recorder.controls[0].first, WebSocketOpcode::Ping);
    EXPECT_EQ(recorder.controls[0].second, "ping!");
  }
}

TEST(WebSocketReader, FragmentedMessageWithControlFrameInBetween) {
  WebSocketReader reader;
  Recorder recorder;
  ASSERT_TRUE(feed(reader, recorder,
                   client_frame(0x01, "frag") + client_frame(0x8A, "") + client_frame(0x00, "men") +
                       client_frame(0x80, "ted")));
  EXPECT_EQ(recorder.data, "fragmented");
  ASSERT_EQ(recorder.controls.size(), 1u);
  EXPECT_EQ(recorder.controls[0].first, WebSocketOpcode::Pong);
  // After the final fragment a new message may start.
  ASSERT_TRUE(feed(reader, recorder, client_frame(0x81, "!")));
  EXPECT_EQ(recorder.data, "fragmented!");
}

TEST(WebSocketReader, CloseFrameIsReportedWhole) {
  WebSocketReader reader;
  Recorder recorder;
  ASSERT_TRUE(feed(reader, recorder,
                   client_frame(0x88, std::string("\x03\xe8"
                                                  "bye",
                                                  5))));
  ASSERT_EQ(recorder.controls.size(), 1u);
  EXPECT_EQ(recorder.controls[0].first, WebSocketOpcode::Close);
  EXPECT_EQ(recorder.controls[0].second, std::string("\x03\xe8"
                                                     "bye",
                                                     5));
}

struct Violation {
  std::string bytes;
  std::string error;
};

TEST(WebSocketReader, RefusesProtocolViolations) {
  std::string unmasked = client_frame(0x81, "x");
  unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);
  std::string huge = client_frame(0x82, "");
  huge[1] = static_cast<char>(0x80 | 127);
  huge.insert(2, std::string("\x80\0\0\0\0\0\0\0", 8));
  const std::vector<Violation> cases = {
      {unmasked, "client frame not masked"},
      {client_frame(0xC1, "x"), "reserved bits set without a negotiated extension"},
      {client_frame(0x83, "x"), "unknown opcode"},
      {client_frame(0x8B, "x"), "unknown opcode"},
      {client_frame(0x09, "x"), "fragmented control frame"},
      {client_frame(0x89, std::string(126, 'p')), "control frame payload over 125 bytes"},
      {client_frame(0x88, "x"), "close payload of 1 byte"},
      {client_frame(0x80, "x"), "continuation frame outside a fragmented message"},
      {client_frame(0x01, "a") + client_frame(0x81, "b"),
       "new data frame inside a fragmented message"},
      {huge, "frame length over 2^63"},
  };
  for (const auto& violation : cases) {
    WebSocketReader reader;
    Recorder recorder;
    EXPECT_FALSE(feed(reader, recorder, violation.bytes)) << violation.error;
    ASSERT_NE(reader.error(), nullptr) << violation.error;
    EXPECT_EQ(std::string(reader.error()), violation.error);
    // Once failed, it stays failed.
    EXPECT_FALSE(feed(reader, recorder, client_frame(0x81, "later")));
  }
}

TEST(WebSocketReader, TextThatIsNotUtf8IsRefusedWith1007) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {client_frame(0x81, "ok \xff"), "text message is not UTF-8"},
      {client_frame(0x81, "\xc0\xaf"), "text message is not UTF-8"},          // overlong '/'
      {client_frame(0x81, "\xed\xa0\x80"), "text message is not UTF-8"},      // a surrogate
      {client_frame(0x81, "\xf4\x90\x80\x80"), "text message is not UTF-8"},  // over U+10FFFF
      {client_frame(0x81, "cut \xe2\x82"), "text message ends inside a UTF-8 sequence"},
      // Split across fragments: the end of the message is where a sequence must be complete.
      {client_frame(0x01, "\xe2\x82") + client_frame(0x80, "x"), "text message is not UTF-8"},
      {client_frame(0x01, "a") + client_frame(0x80, "\xe2"),
       "text message ends inside a UTF-8 sequence"},
  };
  for (const auto& [bytes, error] : cases) {
    WebSocketReader reader;
    Recorder recorder;
    EXPECT_FALSE(feed(reader, recorder, bytes)) << error;
    ASSERT_NE(reader.error(), nullptr) << error;
    EXPECT_EQ(std::string(reader.error()), error);
    EXPECT_EQ(reader.error_code(), kWebSocketInvalidPayload) << error;
  }
  // A sequence split across frames (and reads) is fine; binary messages are not checked.
  WebSocketReader reader;
  Recorder recorder;
  const std::string euro = client_frame(0x01, "\xe2\x82") + client_frame(0x80, "\xac!");
  for (char c : euro) ASSERT_TRUE(feed(reader, recorder, std::string(1, c)));
  EXPECT_TRUE(feed(reader, recorder, client_frame(0x82, "\xff\xfe")));
  EXPECT_EQ(recorder.data, "\xe2\x82\xac!\xff\xfe");
}

TEST(WebSocketReader, CloseCodesAndReasonsAreChecked) {
  auto close_with = [](std::uint16_t code, std::string_view reason = {}) {
    std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    payload.append(reason);
    return client_frame(0x88, payload);
  };
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000}) {
    WebSocketReader reader;
    Recorder recorder;
    EXPECT_FALSE(feed(reader, recorder, close_with(code))) << code;
    ASSERT_NE(reader.error(), nullptr);
    EXPECT_EQ(std::string(reader.error()), "invalid close code") << code;
    EXPECT_EQ(reader.error_code(), kWebSocketProtocolError);
    EXPECT_TRUE(recorder.controls.empty());
  }
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
    WebSocketReader reader;
    Recorder recorder;
    EXPECT_TRUE(feed(reader, recorder, close_with(code, "fine \xe2\x82\xac"))) << code;
    EXPECT_EQ(recorder.controls.size(), 1u) << code;
  }
  WebSocketReader reader;
  Recorder recorder;
  EXPECT_TRUE(feed(reader, recorder, client_frame(0x88, "")));  // no code at all is allowed
  WebSocketReader bad_reason;
  EXPECT_FALSE(feed(bad_reason, recorder, close_with(1000, "\xff")));
  EXPECT_EQ(bad_reason.error_code(), kWebSocketInvalidPayload);
}

TEST(WebSocketReader, RefusesABadFrameAsSoonAsItsFirstTwoBytesArrive) {
  // An unmasked empty Ping, RSV1 set, an unknown opcode: two bytes each, nothing to wait for.
  for (std::string bytes :
       {std::string("\x89\x00", 2), std::string("\xc1\x80", 2), std::string("\x83\x80", 2)}) {
    WebSocketReader reader;
    Recorder recorder;
    EXPECT_FALSE(feed(reader, recorder, bytes));
    EXPECT_NE(reader.error(), nullptr);
  }
}

TEST(WebSocketReader, ResetForgetsAPartialFrame) {
  WebSocketReader reader;
  Recorder recorder;
  std::string frame = client_frame(0x81, "hello");
  ASSERT_TRUE(feed(reader, recorder, frame.substr(0, 4)));
  reader.reset();
  ASSERT_TRUE(feed(reader, recorder, client_frame(0x81, "new")));
  EXPECT_EQ(recorder.data, "new");
}

TEST(WebSocketReader, RandomFragmentationAndSplitsReassembleEveryMessage) {
  std::mt19937 random(20261123);
  for (int round = 0; round < 200; ++round) {
    std::string stream;
    std::string expected;
    std::size_t pings = 0;
    const int messages = 1 + static_cast<int>(random() % 8);
    for (int m = 0; m < messages; ++m) {
      // Text messages are random characters (1 to 4 bytes each) cut into frames at random bytes,
      // so UTF-8 sequences are split across frames; binary messages are random bytes.
      const bool text = random() % 2 == 0;
      const int fragments = 1 + static_cast<int>(random() % 4);
      const std::size_t size = random() % 3 == 0 ? random() % 70000 : random() % 200 * fragments;
      std::string message;
      if (text) {
        while (message.size() < size) message += random_character(random);
      } else {
        message.resize(size);
        for (auto& c : message) c = static_cast<char>(random());
      }
      expected += message;
      std::size_t at = 0;
      for (int f = 0; f < fragments; ++f) {
        const bool fin = f == fragments - 1;
        const std::size_t piece = fin ? message.size() - at : random() % (message.size() - at + 1);
        const std::string payload = message.substr(at, piece);
        at += piece;
        const std::uint8_t opcode = f == 0 ? (text ? 0x1 : 0x2) : 0x0;
        stream += client_frame(static_cast<std::uint8_t>((fin ? 0x80 : 0) | opcode), payload);
        if (random() % 4 == 0) {  // control frames may come between fragments
          stream += client_frame(0x89, "p");
          ++pings;
        }
      }
    }
    WebSocketReader reader;
    Recorder recorder;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t piece = 1 + random() % 5000;
      ASSERT_TRUE(feed(reader, recorder, stream.substr(at, piece))) << "round " << round;
      at += piece;
    }
    ASSERT_EQ(recorder.data, expected) << "round " << round;
    ASSERT_EQ(recorder.controls.size(), pings) << "round " << round;
  }
}

TEST(WebSocketReader, RandomBytesNeverCrashAndFailForGood) {
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(1 + random() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(random());
    WebSocketReader reader;
    Recorder recorder;
    if (!feed(reader, recorder, bytes)) {
      ASSERT_NE(reader.error(), nullptr);
      EXPECT_FALSE(feed(reader, recorder, client_frame(0x81, "after")));
    }
  }
}

}  // namespace
