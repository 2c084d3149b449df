// PendingConnections: by count, beyond the cap the oldest are shed, those past the grace, or any at
// the ceiling; by descriptors (the default), nothing is shed until a new connection's descriptor
// reaches three quarters of the open-file limit, then those past the grace, and from seven eighths
// also the oldest one per new connection; a released ticket is never shed; the ceiling's bounds.
#include "net/pending_connections.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace switchboard::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Admitted {
  std::vector<PendingConnections::Ticket> tickets;
  std::vector<int> shed;  // indices, in the order shed
};

void admit(PendingConnections& pending, boost::asio::io_context& io, Admitted& admitted, int count,
           Clock::time_point at, int descriptor = -1) {
  for (int i = 0; i < count; ++i) {
    const int index = static_cast<int>(admitted.tickets.size());
    admitted.tickets.push_back(pending.admit(
        io, [&admitted, index] { admitted.shed.push_back(index); }, descriptor, at));
  }
}

void run(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

TEST(PendingConnections, BeyondTheCapTheOldestPastTheGraceAreShed) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(5, "a request", 1000);
  ASSERT_EQ(pending->ceiling(), 10u);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 7, start);
  run(io);
  EXPECT_TRUE(admitted.shed.empty()) << "within their first second, up to the ceiling, all stay";
  EXPECT_EQ(pending->size(), 7u);
  admit(*pending, io, admitted, 1, start + PendingConnections::kGrace);
  run(io);
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1, 2})) << "back under the cap, oldest first";
  EXPECT_EQ(pending->size(), 5u);
}

TEST(PendingConnections, AtTheCeilingTheOldestGoWhateverTheirAge) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(3, "a request", 1000);
  Admitted admitted;
  const auto now = Clock::now();
  admit(*pending, io, admitted, 6, now);  // the ceiling: 6
  run(io);
  EXPECT_TRUE(admitted.shed.empty());
  admit(*pending, io, admitted, 2, now);
  run(io);
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1}));
  EXPECT_EQ(pending->size(), 6u);
}

TEST(PendingConnections, ByCountTheDescriptorsDoNotMatter) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(100, "a request", 1000);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 50, start, 990);
  admit(*pending, io, admitted, 1, start + milliseconds(5000), 999);
  run(io);
  EXPECT_TRUE(admitted.shed.empty()) << "below the cap nothing goes, however high the descriptors";
}

TEST(PendingConnections, ByDescriptorsNothingIsShedWhileThreeQuartersAreFree) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(0, "a request", 1000);
  ASSERT_EQ(pending->short_of_descriptors(), 750u);
  ASSERT_EQ(pending->out_of_descriptors(), 875u);
  Admitted admitted;
  const auto start = Clock::now();
  // A storm: far more silent connections than any count cap, and minutes old, while the
  // descriptors handed out stay below three quarters of the limit.
  admit(*pending, io, admitted, 700, start, 10);
  admit(*pending, io, admitted, 1, start + milliseconds(60000), 749);
  run(io);
  EXPECT_TRUE(admitted.shed.empty());
  EXPECT_EQ(pending->size(), 701u);
  // A connection that holds no descriptor of its own says nothing about them.
  admit(*pending, io, admitted, 1, start + milliseconds(60000), -1);
  run(io);
  EXPECT_TRUE(admitted.shed.empty());
}

TEST(PendingConnections, ByDescriptorsFromThreeQuartersThoseOlderThanTheGraceGo) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(0, "a request", 1000);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 3, start, 100);
  admit(*pending, io, admitted, 2, start + milliseconds(500), 100);
  admit(*pending, io, admitted, 1, start + PendingConnections::kGrace, 750);
  run(io);
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1, 2})) << "the three past their first second";
  EXPECT_EQ(pending->size(), 3u) << "the young ones stay, and the new one";
  admit(*pending, io, admitted, 1, start + PendingConnections::kGrace, 874);
  run(io);
  EXPECT_EQ(admitted.shed.size(), 3u) << "below seven eighths a young one stays";
}

TEST(PendingConnections, ByDescriptorsFromSevenEighthsTheOldestEighthGoesAtOnce) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(0, "a request", 80);
  ASSERT_EQ(pending->out_of_descriptors(), 70u);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 30, start, 10);
  admit(*pending, io, admitted, 1, start + milliseconds(10), 70);
  run(io);
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))
      << "the oldest ten (an eighth of 80), whatever their age, so that the next ones refill "
         "holes instead of reaching the limit";
  EXPECT_EQ(pending->size(), 21u);
  // Those past the grace all go (twenty); with an eighth freed by them, the young one stays.
  admitted.shed.clear();
  admit(*pending, io, admitted, 1, start + PendingConnections::kGrace + milliseconds(5), 75);
  run(io);
  std::vector<int> expected;
  for (int i = 10; i < 30; ++i) expected.push_back(i);
  EXPECT_EQ(admitted.shed, expected);
  EXPECT_EQ(pending->size(), 2u);
}

TEST(PendingConnections, AReleasedTicketIsNeitherCountedNorShed) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(2, "a request", 1000);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 2, start);
  admitted.tickets[0].release();
  EXPECT_EQ(pending->size(), 1u);
  admit(*pending, io, admitted, 2, start + milliseconds(1500));
  run(io);
  EXPECT_EQ(admitted.shed, (std::vector<int>{1}));
}

TEST(PendingConnections, ACeilingIsNeverBelowTheCapNorAboveAQuarterOfTheDescriptors) {
  EXPECT_GE(pending_ceiling(100000, 20000), 100000u);
  EXPECT_EQ(pending_ceiling(1, 20000), 2u);
  EXPECT_EQ(pending_ceiling(4096, 20000), 5000u);
  EXPECT_EQ(pending_ceiling(4096, SIZE_MAX), 8192u);
}

}  // namespace
}  // namespace switchboard::net
