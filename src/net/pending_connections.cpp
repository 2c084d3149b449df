// The cap on connections that have not yet sent a request or completed a handshake: see
// pending_connections.hpp.
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

namespace {

// A quarter of the open-file limit (none: SIZE_MAX).
std::size_t quarter_of_descriptors() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return std::max<std::size_t>(1, static_cast<std::size_t>(limit.rlim_cur) / 4);
}

}  // namespace

std::size_t default_pending_limit() {
  constexpr std::size_t kDefault = 4096;
  return std::min(quarter_of_descriptors(), kDefault);
}

std::size_t pending_ceiling(std::size_t limit) {
  return std::max(limit, std::min(2 * limit, quarter_of_descriptors()));
}

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

PendingConnections::PendingConnections(std::size_t limit, std::string waiting_for)
    : limit_(limit > 0 ? limit : default_pending_limit()),
      ceiling_(pending_ceiling(limit_)),
      waiting_for_(std::move(waiting_for)),
      sheds_(std::chrono::seconds(10)) {}

std::size_t PendingConnections::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

PendingConnections::Ticket PendingConnections::admit(boost::asio::io_context& io,
                                                     std::function<void()> shed,
                                                     std::chrono::steady_clock::time_point now) {
  auto entry = std::make_shared<Entry>();
  entry->io = &io;
  entry->shed = std::move(shed);
  entry->admitted = now;
  std::vector<std::shared_ptr<Entry>> victims;
  std::size_t report = 0;
  {
    std::lock_guard lock(mutex_);
    while (
        !entries_.empty() && entries_.size() >= limit_ &&
        (entries_.size() >= ceiling_ || entry->admitted - entries_.front()->admitted >= kGrace)) {
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
  if (report > 0)
    spdlog::warn(
        "closed the oldest {} connection{} still waiting for {}: the limit of {} such connections "
        "was reached (--max-pending-connections; reporting at most every 10 s)",
        report, report == 1 ? "" : "s", waiting_for_, limit_);
  return Ticket(shared_from_this(), std::move(entry));
}

void PendingConnections::remove(Entry& entry) {
  std::lock_guard lock(mutex_);
  if (!entry.listed) return;
  entries_.erase(entry.position);
  entry.listed = false;
}

}  // namespace switchboard::net
