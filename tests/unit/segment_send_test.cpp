// Unit tests for a segment list's non-blocking write (exec/segment_send) on real loopback TCP
// sockets: one segment, small segments joined into one send(), segments past the join limit
// through sendmsg() (each reader gets the bytes in order), empty segments skipped, a full socket
// answers -EAGAIN with nothing written, a large write comes back partial, a closed descriptor
// answers -EBADF.
#include "exec/segment_send.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "loopback_tcp.hpp"

namespace {

using switchboard::exec::kCoalesceUpTo;
using switchboard::exec::send_segments;

using Pair = switchboard::testing::LoopbackPair;

// Reads until `size` bytes came (or a second passes without any).
std::string read(const Pair& pair, std::size_t size) {
  std::string out;
  while (out.size() < size) {
    std::string got = pair.read_available();
    if (got.empty()) break;
    out += got;
  }
  return out;
}

int send_all(int fd, std::vector<std::string>& parts) {
  std::vector<iovec> segments;
  for (auto& part : parts) segments.push_back({part.data(), part.size()});
  return send_segments(fd, segments.data(), static_cast<int>(segments.size()));
}

TEST(SegmentSend, WritesOneOrManySegmentsInOrder) {
  Pair pair;
  const std::string big(kCoalesceUpTo, 'b');
  const std::vector<std::vector<std::string>> cases = {
      {"one segment"},
      {"\x81\x05", "hello"},                  // a frame's header and its message: joined
      {"a", "", "b", std::string(100, 'c')},  // an empty segment in between
      {"head:", big, ":tail"},                // past the join limit: sendmsg()
  };
  for (auto parts : cases) {
    std::string expected;
    for (const auto& part : parts) expected += part;
    EXPECT_EQ(send_all(pair.writer, parts), static_cast<int>(expected.size()));
    EXPECT_EQ(read(pair, expected.size()), expected);
  }
}

TEST(SegmentSend, AFullSocketAnswersEagainAndWritesNothing) {
  Pair pair;
  const std::size_t written = pair.fill();
  for (std::vector<std::string> parts :
       {std::vector<std::string>{"x"}, std::vector<std::string>{"x", "y"},
        std::vector<std::string>{"x", std::string(4096, 'y')}})
    EXPECT_EQ(send_all(pair.writer, parts), -EAGAIN);
  const std::string got = read(pair, written);
  EXPECT_EQ(got.size(), written);
  EXPECT_EQ(got.find_first_not_of('f'), std::string::npos);
}

TEST(SegmentSend, ALargeWriteComesBackPartial) {
  Pair pair;
  const int small = 4096;
  ::setsockopt(pair.writer, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  std::vector<std::string> parts = {"head", std::string(8 * 1024 * 1024, 'p')};
  const int n = send_all(pair.writer, parts);
  EXPECT_GT(n, 0);
  EXPECT_LT(n, static_cast<int>(parts[0].size() + parts[1].size()));
}

TEST(SegmentSend, AClosedDescriptorAnswersEbadf) {
  int writer = -1, reader = -1;
  switchboard::testing::connect_loopback(writer, reader);
  ::close(writer);
  ::close(reader);
  std::vector<std::string> one = {"x"}, two = {"x", "y"};
  EXPECT_EQ(send_all(writer, one), -EBADF);
  EXPECT_EQ(send_all(writer, two), -EBADF);
}

}  // namespace
