// Unit tests for Server-Sent Events framing: one event per write, a `data:` line per payload line
// (CR before LF dropped), a blank line to end the event.
#include <gtest/gtest.h>

#include "service/sse_connection.hpp"

namespace {

using switchboard::service::append_sse_event;

TEST(SseEvent, OneLinePayload) {
  std::string out;
  append_sse_event(out, "{\"type\":6}\x1e");
  EXPECT_EQ(out, "data: {\"type\":6}\x1e\r\n\r\n");
}

TEST(SseEvent, MultiLinePayloadBecomesSeveralDataLines) {
  std::string out;
  append_sse_event(out, "first\nsecond\r\nthird");
  EXPECT_EQ(out, "data: first\r\ndata: second\r\ndata: third\r\n\r\n");
}

TEST(SseEvent, EmptyLinesAndTrailingNewlineAreKept) {
  std::string out;
  append_sse_event(out, "a\n\nb\n");
  EXPECT_EQ(out, "data: a\r\ndata: \r\ndata: b\r\ndata: \r\n\r\n");
}

TEST(SseEvent, EventsAppend) {
  std::string out;
  append_sse_event(out, "1");
  append_sse_event(out, "2");
  EXPECT_EQ(out, "data: 1\r\n\r\ndata: 2\r\n\r\n");
}

}  // namespace
