// What the listener does when accept() fails, instead of retrying at once (which spins a core and
// floods the log while descriptors are exhausted): for lack of descriptors (EMFILE/ENFILE) it
// closes a reserve descriptor, accepts and closes the connections waiting in the backlog, and
// reopens the reserve, so that those clients learn at once instead of hanging; for any failure it
// asks the listener to pause, and logs at most one line per interval, with a count.
#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>

#include "util/throttle.hpp"

namespace switchboard::net {

class AcceptOverload {
 public:
  static constexpr std::chrono::milliseconds kPause{250};
  static constexpr std::chrono::seconds kLogInterval{10};

  AcceptOverload();  // opens the reserve descriptor
  ~AcceptOverload();
  AcceptOverload(const AcceptOverload&) = delete;
  AcceptOverload& operator=(const AcceptOverload&) = delete;

  // Handles a failed accept on the listening socket `listen_fd`; returns how long the listener
  // waits before accepting again.
  std::chrono::milliseconds on_failure(const boost::system::error_code& ec, int listen_fd);
  // After a successful accept: says that the listener has recovered (at most once per interval).
  void on_success();

 private:
  std::size_t shed_backlog(int listen_fd);
  void open_reserve();

  int reserve_ = -1;
  util::ThrottledCounter failures_{kLogInterval};
  util::ThrottledCounter recoveries_{kLogInterval};
  std::size_t shed_unreported_ = 0;
  bool failing_ = false;
};

}  // namespace switchboard::net
