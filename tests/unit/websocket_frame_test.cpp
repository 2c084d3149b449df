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

bool feed(WebSocketReader& reader, Recorder& recorder, std::string bytes) {
  return reader.consume(bytes.data(), bytes.size(), recorder);
}

TEST(WebSocketHandshake, AcceptValueMatchesTheRfcExample) {
  EXPECT_EQ(websocket_accept_value("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
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
      const int fragments = 1 + static_cast<int>(random() % 4);
      for (int f = 0; f < fragments; ++f) {
        std::size_t size = random() % 3 == 0 ? random() % 70000 : random() % 200;
        std::string payload(size, '\0');
        for (auto& c : payload) c = static_cast<char>(random());
        expected += payload;
        const bool fin = f == fragments - 1;
        const std::uint8_t opcode = f == 0 ? (random() % 2 ? 0x1 : 0x2) : 0x0;
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
