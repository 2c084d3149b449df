// The Server-Sent Events transport: a long-lived `text/event-stream` response carrying the
// server's records (each write one event, `data:` lines), while the client's records arrive as
// separate POSTs (ClientEndpoint feeds them in). Text only: JSON hub protocol.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "service/hub_connection.hpp"

namespace switchboard::service {

class SseConnection final : public HubConnection {
 public:
  SseConnection(ServiceContext& context, Shard& shard, boost::asio::ip::tcp::socket socket,
                std::string id, std::string hub, std::string user);

  // Writes the response head (with `extra_headers`, e.g. CORS) and the opening comment.
  void start(std::string extra_headers);

 private:
  bool can_write() const override { return head_written_; }
  void write(const std::vector<MessagePtr>& batch) override;
  void close_transport() override;
  void abort_transport() override;
  int socket_descriptor() override { return socket_.native_handle(); }
  void watch_peer();
  std::shared_ptr<SseConnection> self();

  boost::asio::ip::tcp::socket socket_;
  std::string out_;
  char peer_byte_ = 0;
  bool head_written_ = false;
};

// Formats `payload` as one SSE event: a `data: ` line per payload line, then a blank line.
void append_sse_event(std::string& out, std::string_view payload);

}  // namespace switchboard::service
