// Unit tests for the shard's batched socket writes (exec/send_ring, io_uring) on real loopback
// TCP sockets: a batch of sends to many sockets goes out in one submission and each reader gets
// its bytes in order (one-buffer sends, IORING_OP_SEND, beside segment lists, IORING_OP_SENDMSG); a
// full socket answers -EAGAIN with nothing written; a large write to a small buffer comes back
// partial; a closed descriptor fails alone; a small batch (written directly, without the ring)
// answers the same; a completion may queue the next write; a shard queues its deferred flushes'
// writes and submits them at the end of the slice;
// --io-uring off (SendPath::Syscall) gives shards without a ring.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/send_ring.hpp"
#include "exec/shard.hpp"
#include "exec/shard_pool.hpp"
#include "loopback_tcp.hpp"

namespace {

using switchboard::exec::Flushable;
using switchboard::exec::SendPath;
using switchboard::exec::SendRing;
using switchboard::exec::Shard;
using switchboard::exec::ShardPool;

using SocketPair = switchboard::testing::LoopbackPair;

// What a send's owner heard.
struct Outcome {
  std::vector<int> results;
};

void record(void* owner, int result) {
  static_cast<Outcome*>(owner)->results.push_back(result);
}

std::unique_ptr<SendRing> open_ring(unsigned capacity = 64) {
  std::string why_not;
  auto ring = SendRing::open(capacity, why_not);
  if (!ring) ADD_FAILURE() << "no io_uring here: " << why_not;
  return ring;
}

// Sends to sockets of their own that take a batch past SendRing::kDirectUpTo, so that it goes
// through the ring (a smaller batch is written directly); each reader gets its text.
struct Fillers {
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::string text = "filler";
  Fillers() {
    for (std::size_t i = 0; i < SendRing::kDirectUpTo; ++i)
      pairs.push_back(std::make_unique<SocketPair>());
  }
  void queue(SendRing& ring, const std::shared_ptr<Outcome>& outcome) {
    for (const auto& pair : pairs) {
      iovec segment{text.data(), text.size()};
      ring.queue(pair->writer, &segment, 1, &record, outcome);
    }
  }
  void expect_delivered() const {
    for (const auto& pair : pairs) EXPECT_EQ(pair->read_available(), text);
  }
};

// The ring is the subject here: where the kernel refuses it (the io_uring_disabled sysctl, a
// container's seccomp filter) these tests have nothing to test, and say so.
#define REQUIRE_IO_URING()                                                    \
  do {                                                                        \
    std::string why_not;                                                      \
    if (!SendRing::open(1, why_not)) GTEST_SKIP() << "io_uring: " << why_not; \
  } while (0)

TEST(SendRing, OneSubmissionWritesEverySocketsSegmentsInOrder) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  constexpr int kSockets = 40;
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::string> heads, bodies;
  auto outcome = std::make_shared<Outcome>();
  for (int i = 0; i < kSockets; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    heads.push_back("head" + std::to_string(i) + ":");
    bodies.push_back(
        std::string(100 + static_cast<std::size_t>(i), static_cast<char>('a' + i % 26)));
  }
  for (int i = 0; i < kSockets; ++i) {
    iovec segments[2] = {{heads[i].data(), heads[i].size()}, {bodies[i].data(), bodies[i].size()}};
    ring->queue(pairs[i]->writer, segments, 2, &record, outcome);
  }
  EXPECT_EQ(ring->queued(), static_cast<std::size_t>(kSockets));
  // Nothing is written before the submission.
  char probe;
  EXPECT_EQ(::recv(pairs[0]->reader, &probe, 1, MSG_DONTWAIT), -1);
  ring->submit();
  EXPECT_EQ(ring->queued(), 0u);
  ASSERT_EQ(outcome->results.size(), static_cast<std::size_t>(kSockets));
  for (int i = 0; i < kSockets; ++i) {
    EXPECT_EQ(outcome->results[i], static_cast<int>(heads[i].size() + bodies[i].size()));
    EXPECT_EQ(pairs[i]->read_available(), heads[i] + bodies[i]);
  }
  // The ring let go of the owners it kept alive.
  EXPECT_EQ(outcome.use_count(), 1);
  EXPECT_FALSE(ring->broken());
}

// A one-segment send goes to the kernel as one buffer (IORING_OP_SEND), a longer list as a
// message (IORING_OP_SENDMSG); mixed in one batch, each reader gets exactly its own bytes.
TEST(SendRing, OneBufferAndSegmentListSendsMixInOneBatch) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  constexpr int kSockets = 12;
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::string> parts[3];
  auto outcome = std::make_shared<Outcome>();
  for (int i = 0; i < kSockets; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    for (int k = 0; k < 3; ++k)
      parts[k].push_back(std::string(1 + static_cast<std::size_t>(i * 7 + k),
                                     static_cast<char>('a' + (i + k) % 26)));
  }
  std::vector<std::string> expected;
  for (int i = 0; i < kSockets; ++i) {
    const int count = 1 + i % 3;  // 1, 2 or 3 segments
    iovec segments[3];
    expected.emplace_back();
    for (int k = 0; k < count; ++k) {
      segments[k] = {parts[k][i].data(), parts[k][i].size()};
      expected.back() += parts[k][i];
    }
    ring->queue(pairs[i]->writer, segments, count, &record, outcome);
  }
  ring->submit();
  ASSERT_EQ(outcome->results.size(), static_cast<std::size_t>(kSockets));
  for (int i = 0; i < kSockets; ++i) {
    EXPECT_EQ(outcome->results[i], static_cast<int>(expected[i].size())) << i;
    EXPECT_EQ(pairs[i]->read_available(), expected[i]) << i;
  }
  EXPECT_FALSE(ring->broken());
}

TEST(SendRing, AFullSocketAnswersEagainAndWritesNothing) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  SocketPair full, other;
  // Fill the writer's side until the kernel refuses more.
  const std::size_t written = full.fill();
  ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);  // (what ended the filling)
  auto outcome = std::make_shared<Outcome>();
  std::string message = "after";
  iovec segment{message.data(), message.size()};
  ring->queue(full.writer, &segment, 1, &record, outcome);
  ring->queue(other.writer, &segment, 1, &record, outcome);
  Fillers fillers;
  fillers.queue(*ring, outcome);
  ring->submit();
  ASSERT_EQ(outcome->results.size(), 2u + SendRing::kDirectUpTo);
  EXPECT_EQ(outcome->results[0], -EAGAIN);
  EXPECT_EQ(outcome->results[1], 5);
  EXPECT_EQ(other.read_available(), "after");
  fillers.expect_delivered();
  // The full socket's reader gets the filler and nothing else.
  std::size_t drained = 0;
  while (drained < written) {
    std::string got = full.read_available();
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.find('a'), std::string::npos);
    drained += got.size();
  }
  EXPECT_EQ(drained, written);
}

TEST(SendRing, ALargeWriteToASmallBufferComesBackPartial) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  SocketPair pair;
  const int small = 4096;
  ::setsockopt(pair.writer, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  ::setsockopt(pair.reader, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  std::string big(8 * 1024 * 1024, 'p');
  iovec segment{big.data(), big.size()};
  // Alone (written directly), then in a batch that goes through the ring.
  for (const bool through_ring : {false, true}) {
    auto outcome = std::make_shared<Outcome>();
    ring->queue(pair.writer, &segment, 1, &record, outcome);
    Fillers fillers;
    if (through_ring) fillers.queue(*ring, outcome);
    ring->submit();
    ASSERT_FALSE(outcome->results.empty());
    EXPECT_GT(outcome->results[0], 0) << through_ring;
    EXPECT_LT(outcome->results[0], static_cast<int>(big.size())) << through_ring;
    while (!pair.read_available().empty()) {
    }
  }
}

TEST(SendRing, AClosedDescriptorFailsAloneInItsBatch) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  SocketPair good;
  Fillers fillers;  // (before the stale descriptor: none of theirs may take its number)
  auto closed = std::make_unique<SocketPair>();
  const int stale = closed->writer;
  closed.reset();
  std::string message = "still here";
  iovec segment{message.data(), message.size()};
  auto outcome = std::make_shared<Outcome>();
  ring->queue(stale, &segment, 1, &record, outcome);
  ring->queue(good.writer, &segment, 1, &record, outcome);
  fillers.queue(*ring, outcome);
  ring->submit();
  ASSERT_EQ(outcome->results.size(), 2u + SendRing::kDirectUpTo);
  EXPECT_EQ(outcome->results[0], -EBADF);
  EXPECT_EQ(outcome->results[1], static_cast<int>(message.size()));
  EXPECT_EQ(good.read_available(), message);
  fillers.expect_delivered();
  EXPECT_FALSE(ring->broken());
}

// A batch of up to kDirectUpTo is written directly: the same results as through the ring.
TEST(SendRing, ASmallBatchAnswersAsTheRingWould) {
  REQUIRE_IO_URING();
  auto ring = open_ring();
  SocketPair pair, full;
  full.fill();
  auto stale_pair = std::make_unique<SocketPair>();
  const int stale = stale_pair->writer;
  stale_pair.reset();
  std::string head = "lone:", body = "send";
  iovec segments[2] = {{head.data(), head.size()}, {body.data(), body.size()}};
  auto outcome = std::make_shared<Outcome>();
  for (int fd : {pair.writer, full.writer, stale}) {
    ring->queue(fd, segments, 2, &record, outcome);
    EXPECT_EQ(ring->queued(), 1u);
    ring->submit();
    EXPECT_EQ(ring->queued(), 0u);
  }
  EXPECT_EQ(outcome->results, (std::vector<int>{9, -EAGAIN, -EBADF}));
  EXPECT_EQ(pair.read_available(), "lone:send");
  // The three in one batch, in the order queued.
  static_assert(SendRing::kDirectUpTo >= 3);
  outcome->results.clear();
  for (int fd : {stale, pair.writer, full.writer}) ring->queue(fd, segments, 2, &record, outcome);
  ring->submit();
  EXPECT_EQ(outcome->results, (std::vector<int>{-EBADF, 9, -EAGAIN}));
  EXPECT_EQ(pair.read_available(), "lone:send");
  EXPECT_EQ(outcome.use_count(), 1);
  EXPECT_FALSE(ring->broken());
}

// A completion that queues the owner's next write (as a connection does when more was queued
// for it meanwhile): it goes out with the next submission.
struct Chain {
  SendRing* ring = nullptr;
  int fd = -1;
  std::vector<std::string> parts;
  std::size_t next = 0;
  std::vector<int> results;
  std::shared_ptr<Chain> self;
  static void done(void* owner, int result) {
    auto& chain = *static_cast<Chain*>(owner);
    chain.results.push_back(result);
    if (chain.next < chain.parts.size()) chain.queue_next();
  }
  void queue_next() {
    iovec segment{parts[next].data(), parts[next].size()};
    ++next;
    ring->queue(fd, &segment, 1, &Chain::done, self);
  }
};

TEST(SendRing, ACompletionMayQueueTheNextWrite) {
  REQUIRE_IO_URING();
  auto ring = open_ring(2);
  SocketPair pair;
  auto chain = std::make_shared<Chain>();
  chain->ring = ring.get();
  chain->fd = pair.writer;
  chain->parts = {"one,", "two,", "three"};
  chain->self = chain;
  chain->queue_next();
  ring->submit();
  EXPECT_EQ(chain->results, (std::vector<int>{4}));
  EXPECT_EQ(ring->queued(), 1u);
  ring->submit();
  ring->submit();
  EXPECT_EQ(chain->results, (std::vector<int>{4, 4, 5}));
  EXPECT_EQ(ring->queued(), 0u);
  EXPECT_EQ(pair.read_available(), "one,two,three");
  chain->self.reset();
}

// A connection of the shard's deferred flush that writes through the shard's ring when it has one.
class RingWriter final : public Flushable, public std::enable_shared_from_this<RingWriter> {
 public:
  RingWriter(Shard& shard, int fd, std::string text) : shard_(shard), fd_(fd), text_(text) {}
  void flush_deferred() override {
    SendRing* ring = shard_.send_ring();
    queued_on_ring = ring != nullptr;
    iovec segment{text_.data(), text_.size()};
    if (ring)
      ring->queue(fd_, &segment, 1, &RingWriter::done, shared_from_this());
    else
      result = static_cast<int>(::send(fd_, text_.data(), text_.size(), MSG_DONTWAIT));
    sent_before_flush_returned = result;
  }
  static void done(void* owner, int result) { static_cast<RingWriter*>(owner)->result = result; }
  bool queued_on_ring = false;
  int sent_before_flush_returned = 0;
  int result = 0;

 private:
  Shard& shard_;
  int fd_;
  std::string text_;
};

TEST(SendRing, AShardSubmitsItsDeferredFlushesWritesAtTheEndOfTheSlice) {
  REQUIRE_IO_URING();
  // The pool's shard, with the ring the pool sized: it must hold the longest slice's writes.
  ShardPool pool(1, SendPath::Auto);
  Shard& shard = pool.first();
  ASSERT_TRUE(shard.batches_writes());
  // Slices grow from the first to the longest here (io().run() counts no other work between
  // them): enough connections for every length up to a full longest slice, one submission each.
  std::size_t count = 0;
  for (std::size_t slice = Shard::kFlushSlice; slice <= Shard::kMaxFlushSlice; slice *= 2)
    count += slice;
  std::vector<std::unique_ptr<SocketPair>> pairs;
  std::vector<std::shared_ptr<RingWriter>> writers;
  for (std::size_t i = 0; i < count; ++i) {
    pairs.push_back(std::make_unique<SocketPair>());
    writers.push_back(
        std::make_shared<RingWriter>(shard, pairs.back()->writer, "msg" + std::to_string(i)));
  }
  bool ring_outside_flush = true;
  shard.post([&] {
    ring_outside_flush = shard.send_ring() != nullptr;
    for (auto& writer : writers) shard.defer_flush(writer);
  });
  shard.io().run();
  EXPECT_FALSE(ring_outside_flush);
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_TRUE(writers[i]->queued_on_ring);
    EXPECT_EQ(writers[i]->sent_before_flush_returned, 0);  // written at the submission
    const std::string expected = "msg" + std::to_string(i);
    EXPECT_EQ(writers[i]->result, static_cast<int>(expected.size()));
    EXPECT_EQ(pairs[i]->read_available(), expected);
  }
}

TEST(SendRing, IoUringOffGivesShardsThatWriteAtOnce) {
  ShardPool off(2, SendPath::Syscall);
  EXPECT_EQ(off.send_path(), "one call per connection (io_uring turned off)");
  for (Shard* shard : off.shards()) EXPECT_FALSE(shard->batches_writes());
  SocketPair pair;
  auto writer = std::make_shared<RingWriter>(*off.shards()[0], pair.writer, "direct");
  off.shards()[0]->post([&] { off.shards()[0]->defer_flush(writer); });
  off.shards()[0]->io().run();
  EXPECT_FALSE(writer->queued_on_ring);
  EXPECT_EQ(writer->sent_before_flush_returned, 6);
  EXPECT_EQ(pair.read_available(), "direct");

  ShardPool automatic(2, SendPath::Auto);
  std::string why_not;
  const bool kernel_allows = SendRing::open(1, why_not) != nullptr;
  for (Shard* shard : automatic.shards()) EXPECT_EQ(shard->batches_writes(), kernel_allows);
  EXPECT_EQ(automatic.send_path(),
            kernel_allows ? "io_uring"
                          : "one call per connection (io_uring unavailable: " + why_not + ")");
}

}  // namespace
