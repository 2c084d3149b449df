// Feeds protocol/websocket_frame's WebSocketReader what a client sends on the socket: the input is
// the byte stream, read three ways (whole, one byte per read, reads of 7 bytes). How the stream is
// cut must not change what the reader makes of it: the same verdict and error, and on success the
// same payload bytes and control frames.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "protocol/websocket_frame.hpp"

using switchboard::protocol::WebSocketOpcode;
using switchboard::protocol::WebSocketReader;

namespace {

struct Outcome : WebSocketReader::Listener {
  std::string data;
  std::vector<std::pair<WebSocketOpcode, std::string>> controls;
  bool ok = true;
  std::string error;
  std::uint16_t code = 0;

  void on_data(std::string_view payload) override { data.append(payload); }
  void on_control(WebSocketOpcode opcode, std::string_view payload) override {
    controls.emplace_back(opcode, std::string(payload));
  }
};

Outcome read_in_pieces(const std::uint8_t* bytes, std::size_t size, std::size_t piece) {
  std::string stream(reinterpret_cast<const char*>(bytes), size);
  WebSocketReader reader;
  Outcome out;
  for (std::size_t at = 0; at < stream.size() && out.ok; at += piece) {
    std::size_t n = std::min(piece, stream.size() - at);
    if (!reader.consume(stream.data() + at, n, out)) {
      out.ok = false;
      FUZZ_CHECK(reader.error() != nullptr, "a refused stream names its error");
      out.error = reader.error();
      out.code = reader.error_code();
      // Once failed, the reader refuses everything after.
      char more[2] = {'\x81', '\x00'};
      FUZZ_CHECK(!reader.consume(more, sizeof more, out), "a failed reader stays failed");
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Outcome whole = read_in_pieces(data, size, size == 0 ? 1 : size);
  Outcome bytewise = read_in_pieces(data, size, 1);
  Outcome sevens = read_in_pieces(data, size, 7);
  for (const Outcome* other : {&bytewise, &sevens}) {
    FUZZ_CHECK(other->ok == whole.ok, "the verdict does not depend on how reads cut the stream");
    FUZZ_CHECK(other->error == whole.error, "the same error whatever the reads");
    FUZZ_CHECK(other->code == whole.code, "the same close code whatever the reads");
    if (whole.ok) {
      FUZZ_CHECK(other->data == whole.data, "the same payload bytes whatever the reads");
      FUZZ_CHECK(other->controls == whole.controls, "the same control frames whatever the reads");
    }
  }
  return 0;
}
