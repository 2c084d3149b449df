// The seam between the service and whatever receives upstream calls: an HTTP dispatcher (the
// function app's webhook over the network) by default, or an in-process one (a service and a
// functions host in one process could call each other directly).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "upstream/call.hpp"

namespace switchboard::upstream {

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // Sends `call` and returns its outcome; never throws. Called on a shard thread (the one of the
  // connection the event is about); must not block it. Must keep the call's timeout and answer
  // size limit.
  virtual boost::asio::awaitable<Reply> dispatch(Call call) = 0;
};

}  // namespace switchboard::upstream
