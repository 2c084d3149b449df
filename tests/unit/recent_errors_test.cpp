// Unit tests for the ring of recent warnings and errors (service/recent_errors): it keeps the
// newest lines up to its capacity, oldest first, cuts long lines, and its spdlog sink takes
// warnings and errors only.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include "service/recent_errors.hpp"

namespace {

using switchboard::service::LogLine;
using switchboard::service::make_recent_errors_sink;
using switchboard::service::RecentErrors;

LogLine line(std::string text) {
  return {std::chrono::system_clock::now(), "error", std::move(text)};
}

std::vector<std::string> texts(const RecentErrors& ring) {
  std::vector<std::string> out;
  for (const auto& l : ring.lines()) out.push_back(l.text);
  return out;
}

TEST(RecentErrors, KeepsTheNewestLinesOldestFirst) {
  RecentErrors ring(3);
  ring.add(line("a"));
  ring.add(line("b"));
  EXPECT_EQ(texts(ring), (std::vector<std::string>{"a", "b"}));
  ring.add(line("c"));
  ring.add(line("d"));
  ring.add(line("e"));
  EXPECT_EQ(texts(ring), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(ring.total(), 5u);
}

TEST(RecentErrors, CutsLongLines) {
  RecentErrors ring;
  ring.add(line(std::string(5000, 'x')));
  auto kept = ring.lines().at(0).text;
  EXPECT_EQ(kept.size(), RecentErrors::kMaxLogLineBytes + 3);
  EXPECT_TRUE(kept.ends_with("..."));
}

TEST(RecentErrors, SinkTakesWarningsAndErrorsOnly) {
  auto ring = std::make_shared<RecentErrors>();
  spdlog::logger logger("test", make_recent_errors_sink(ring));
  logger.set_level(spdlog::level::trace);
  logger.info("started on port {}", 8888);
  logger.debug("details");
  logger.warn("connection {}: outbound queue full", "c1");
  logger.error("upstream {} failed", "http://x");
  logger.critical("out of memory");
  auto lines = ring->lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].level, "warning");
  EXPECT_EQ(lines[0].text, "connection c1: outbound queue full");
  EXPECT_EQ(lines[1].level, "error");
  EXPECT_EQ(lines[1].text, "upstream http://x failed");
  EXPECT_EQ(lines[2].level, "critical");
}

}  // namespace
