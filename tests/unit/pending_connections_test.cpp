// PendingConnections: beyond the cap the oldest are shed, those past the grace, or any at the
// ceiling; a released ticket is never shed; the ceiling's bounds.
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
           Clock::time_point at) {
  for (int i = 0; i < count; ++i) {
    const int index = static_cast<int>(admitted.tickets.size());
    admitted.tickets.push_back(pending.admit(
        io, [&admitted, index] { admitted.shed.push_back(index); }, at));
  }
}

TEST(PendingConnections, BeyondTheCapTheOldestPastTheGraceAreShed) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(5);
  ASSERT_EQ(pending->ceiling(), 10u);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 7, start);
  io.restart();
  io.poll();
  EXPECT_TRUE(admitted.shed.empty()) << "within their first second, up to the ceiling, all stay";
  EXPECT_EQ(pending->size(), 7u);
  admit(*pending, io, admitted, 1, start + PendingConnections::kGrace);
  io.restart();
  io.poll();
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1, 2})) << "back under the cap, oldest first";
  EXPECT_EQ(pending->size(), 5u);
}

TEST(PendingConnections, AtTheCeilingTheOldestGoWhateverTheirAge) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(3);
  Admitted admitted;
  const auto now = Clock::now();
  admit(*pending, io, admitted, 6, now);  // the ceiling: 6
  io.restart();
  io.poll();
  EXPECT_TRUE(admitted.shed.empty());
  admit(*pending, io, admitted, 2, now);
  io.restart();
  io.poll();
  EXPECT_EQ(admitted.shed, (std::vector<int>{0, 1}));
  EXPECT_EQ(pending->size(), 6u);
}

TEST(PendingConnections, AReleasedTicketIsNeitherCountedNorShed) {
  boost::asio::io_context io;
  auto pending = std::make_shared<PendingConnections>(2);
  Admitted admitted;
  const auto start = Clock::now();
  admit(*pending, io, admitted, 2, start);
  admitted.tickets[0].release();
  EXPECT_EQ(pending->size(), 1u);
  admit(*pending, io, admitted, 2, start + milliseconds(1500));
  io.restart();
  io.poll();
  EXPECT_EQ(admitted.shed, (std::vector<int>{1}));
}

TEST(PendingConnections, ACeilingIsNeverBelowTheCapNorAboveAQuarterOfTheDescriptors) {
  EXPECT_GE(pending_ceiling(100000), 100000u);
  EXPECT_EQ(pending_ceiling(1), 2u);
  EXPECT_LE(pending_ceiling(default_pending_limit()), 2 * default_pending_limit());
}

}  // namespace
}  // namespace switchboard::net
