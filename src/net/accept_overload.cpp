// Accept failures: shedding with a reserve descriptor, pauses and throttled logging; see
// accept_overload.hpp.
#include "net/accept_overload.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>

namespace switchboard::net {

namespace {

// At most this many backlog connections are shed per failure, so that one failure never holds the
// listener's thread for long; the rest wait for the next one.
constexpr std::size_t kMaxShedPerFailure = 1024;

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == boost::asio::error::no_descriptors ||
         ec == boost::system::error_code(ENFILE, boost::system::system_category());
}

}  // namespace

AcceptOverload::AcceptOverload() {
  open_reserve();
}

AcceptOverload::~AcceptOverload() {
  if (reserve_ >= 0) ::close(reserve_);
}

void AcceptOverload::open_reserve() {
  if (reserve_ < 0) reserve_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

std::size_t AcceptOverload::shed_backlog(int listen_fd) {
  open_reserve();  // it may have been lost to another thread's descriptor last time
  if (reserve_ < 0) return 0;
  ::close(reserve_);
  reserve_ = -1;
  std::size_t shed = 0;
  while (shed < kMaxShedPerFailure) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      break;  // EAGAIN: the backlog is empty; EMFILE: another thread took the descriptor
    }
    ::close(fd);
    ++shed;
  }
  open_reserve();
  return shed;
}

std::chrono::milliseconds AcceptOverload::on_failure(const boost::system::error_code& ec,
                                                     int listen_fd) {
  if (out_of_descriptors(ec)) shed_unreported_ += shed_backlog(listen_fd);
  failing_ = true;
  if (auto count = failures_.add()) {
    spdlog::warn(
        "accept failed: {} ({} failed attempt{} and {} waiting connection{} closed unanswered "
        "since the last report); retrying every {} ms, reporting at most every {} s",
        ec.message(), count, count == 1 ? "" : "s", shed_unreported_,
        shed_unreported_ == 1 ? "" : "s", kPause.count(), kLogInterval.count());
    shed_unreported_ = 0;
  }
  return kPause;
}

void AcceptOverload::on_success() {
  if (!failing_) return;
  failing_ = false;
  if (!recoveries_.add()) return;
  auto count = failures_.take();
  spdlog::info(
      "accepting connections again ({} more failed attempt{}, {} connection{} closed "
      "unanswered since the last report)",
      count, count == 1 ? "" : "s", shed_unreported_, shed_unreported_ == 1 ? "" : "s");
  shed_unreported_ = 0;
}

}  // namespace switchboard::net
