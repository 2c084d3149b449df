// Closing the oldest connections that have not sent a request or completed a handshake, by
// descriptors or by count: see pending_connections.hpp.
#include "net/pending_connections.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <vector>

namespace switchboard::net {

struct PendingConnections::Entry {
  boost::asio::io_context* io = nullptr;
  std::chrono::steady_clock::time_point admitted;
  std::function<void()> shed;
  std::list<std::shared_ptr<Entry>>::iterator position;  // under the owner's mutex
  bool listed = false;                                   // under the owner's mutex
  bool released = false;                                 // on the connection's thread only
};

std::size_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t pending_ceiling(std::size_t limit, std::size_t descriptors) {
  const std::size_t quarter =
      descriptors == SIZE_MAX ? SIZE_MAX : std::max<std::size_t>(1, descriptors / 4);
  return std::max(limit, std::min(2 * limit, quarter));
}

namespace {

// `fraction` eighths of `descriptors` (SIZE_MAX stays SIZE_MAX).
std::size_t eighths(std::size_t descriptors, std::size_t fraction) {
  return descriptors == SIZE_MAX ? SIZE_MAX
                                 : descriptors / 8 * fraction + descriptors % 8 * fraction / 8;
}

}  // namespace

PendingConnections::Ticket::Ticket(std::shared_ptr<PendingConnections> owner,
                                   std::shared_ptr<Entry> entry)
    : owner_(std::move(owner)), entry_(std::move(entry)) {}

void PendingConnections::Ticket::release() {
  if (!entry_) return;
  entry_->released = true;
  owner_->remove(*entry_);
  entry_.reset();
  owner_.reset();
}

PendingConnections::PendingConnections(std::size_t limit, std::string waiting_for,
                                       std::size_t descriptors)
    : limit_(limit),
      ceiling_(pending_ceiling(limit, descriptors)),
      short_(eighths(descriptors, 6)),
      out_(eighths(descriptors, 7)),
      batch_(std::max<std::size_t>(1, eighths(descriptors, 1))),
      descriptors_(descriptors),
      waiting_for_(std::move(waiting_for)),
      sheds_(std::chrono::seconds(10)) {}

std::size_t PendingConnections::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

bool PendingConnections::shed_oldest(int descriptor, std::chrono::steady_clock::time_point now,
                                     std::size_t closed) const {
  if (entries_.empty()) return false;
  const bool past_grace = now - entries_.front()->admitted >= kGrace;
  if (limit_ > 0) return entries_.size() >= limit_ && (entries_.size() >= ceiling_ || past_grace);
  if (descriptor < 0) return false;
  const auto number = static_cast<std::size_t>(descriptor);
  // Descriptors are handed out lowest first and the oldest connections hold low ones, so after a
  // shed the next connections fill those holes without a sign of the shortage: at seven eighths
  // an eighth of the descriptors is freed at once, not one, or the holes would let the count
  // creep up to the limit one refill at a time.
  return (number >= short_ && past_grace) || (number >= out_ && closed < batch_);
}

PendingConnections::Ticket PendingConnections::admit(boost::asio::io_context& io,
                                                     std::function<void()> shed, int descriptor,
                                                     std::chrono::steady_clock::time_point now) {
  auto entry = std::make_shared<Entry>();
  entry->io = &io;
  entry->shed = std::move(shed);
  entry->admitted = now;
  std::vector<std::shared_ptr<Entry>> victims;
  std::size_t report = 0;
  {
    std::lock_guard lock(mutex_);
    while (shed_oldest(descriptor, now, victims.size())) {
      victims.push_back(std::move(entries_.front()));
      entries_.pop_front();
      victims.back()->listed = false;
      report += sheds_.add();
    }
    entries_.push_back(entry);
    entry->position = std::prev(entries_.end());
    entry->listed = true;
  }
  for (auto& victim : victims) {
    boost::asio::post(*victim->io, [victim] {
      if (!victim->released) victim->shed();
    });
  }
  if (report > 0) {
    if (limit_ > 0)
      spdlog::warn(
          "closed the oldest {} connection{} still waiting for {}: the limit of {} such "
          "connections was reached (--max-pending-connections; reporting at most every 10 s)",
          report, report == 1 ? "" : "s", waiting_for_, limit_);
    else
      spdlog::warn(
          "closed the oldest {} connection{} still waiting for {}: descriptors are running short "
          "(a new connection got descriptor {} of the open-file limit {}; reporting at most every "
          "10 s)",
          report, report == 1 ? "" : "s", waiting_for_, descriptor, descriptors_);
  }
  return Ticket(shared_from_this(), std::move(entry));
}

void PendingConnections::remove(Entry& entry) {
  std::lock_guard lock(mutex_);
  if (!entry.listed) return;
  entries_.erase(entry.position);
  entry.listed = false;
}

}  // namespace switchboard::net
