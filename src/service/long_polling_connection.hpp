// The long-polling transport: the server's records wait in the queue until the client polls
// (GET); a poll is answered at once when records are queued, else when some arrive or after the
// poll timeout (200, empty). The first poll only activates the connection. A newer poll ends an
// older one with 204, as does the end of the connection. The client's records arrive as POSTs.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>

#include "net/http_types.hpp"
#include "service/hub_connection.hpp"

namespace switchboard::service {

// A poll's answer, handed from the connection's shard to the thread serving the poll request.
class PollWaiter : public std::enable_shared_from_this<PollWaiter> {
 public:
  explicit PollWaiter(boost::asio::any_io_executor executor);
  void deliver(net::Response response);          // from any thread, once
  boost::asio::awaitable<net::Response> wait();  // on the executor given

 private:
  boost::asio::steady_timer timer_;
  std::optional<net::Response> response_;
};

class LongPollingConnection final : public HubConnection {
 public:
  LongPollingConnection(ServiceContext& context, Shard& shard, std::string id, std::string hub,
                        std::string user, std::chrono::milliseconds poll_timeout);

  void start() { begin(); }
  // A poll arrived (called on this connection's shard): `waiter` gets the answer.
  void poll(std::shared_ptr<PollWaiter> waiter);
  // DELETE from the client: the connection ends.
  void stop_by_client();

 private:
  bool can_write() const override { return waiting_ != nullptr; }
  void write(const std::vector<MessagePtr>& batch) override;
  void close_transport() override;
  void abort_transport() override;
  bool uses_keep_alive() const override { return false; }
  void tick(Clock::time_point now) override;
  void on_finished() override;
  void answer(net::Response response);

  std::chrono::milliseconds poll_timeout_;
  bool activated_ = false;
  std::shared_ptr<PollWaiter> waiting_;
  Clock::time_point poll_started_;
  Clock::time_point last_poll_end_;
};

}  // namespace switchboard::service
