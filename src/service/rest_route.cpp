// REST route matching: see rest_route.hpp.
#include "service/rest_route.hpp"

#include <array>
#include <memory>

#include "util/url.hpp"

namespace switchboard::service {

using boost::beast::http::verb;

namespace {

// The path's non-empty segments, percent-decoded only where they hold an escape (no allocation
// for the others). A path with more segments than any route has matches nothing.
constexpr std::size_t kMaxSegments = 12;

struct Segments {
  std::array<std::string_view, kMaxSegments> at;
  // Storage of the segments that had escapes, made for the first (most paths have none).
  std::unique_ptr<std::array<std::string, kMaxSegments>> decoded;
  std::size_t size = 0;
  bool too_many = false;
  std::string_view operator[](std::size_t i) const { return at[i]; }
};

void split_segments(std::string_view path, Segments& out) {
  while (!path.empty()) {
    auto slash = path.find('/');
    auto segment = path.substr(0, slash);
    if (!segment.empty()) {
      if (out.size == kMaxSegments) {
        out.too_many = true;
        return;
      }
      if (segment.find('%') == std::string_view::npos) {
        out.at[out.size] = segment;
      } else {
        if (!out.decoded) out.decoded = std::make_unique<std::array<std::string, kMaxSegments>>();
        auto& decoded = (*out.decoded)[out.size];
        decoded = util::percent_decode(segment, false);
        out.at[out.size] = decoded;
      }
      ++out.size;
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

bool is_check(verb method) {
  return method == verb::head || method == verb::get;
}

}  // namespace

RestMatch match_rest_route(verb method, std::string_view raw_path) {
  RestMatch match;
  Segments seg;
  split_segments(raw_path, seg);
  if (seg.too_many || seg.size < 2 || seg[0] != "api") return match;
  std::size_t i = 1;
  RestRoute route;
  if (seg[i] == "v1") {
    route.v1 = true;
    ++i;
  }
  if (i < seg.size && seg[i] == "health" && i + 1 == seg.size) {
    match.path_known = true;
    if (is_check(method)) {
      route.operation = RestOperation::Health;
      match.route = route;
    }
    return match;
  }
  if (i + 1 >= seg.size || seg[i] != "hubs") return match;
  route.hub = std::string(seg[i + 1]);
  // The raw prefix up to the hub segment, for hub-level token audiences.
  {
    std::size_t count = 0, pos = 0;
    std::size_t wanted = i + 2;  // segments up to and including the hub
    while (pos < raw_path.size() && count < wanted) {
      while (pos < raw_path.size() && raw_path[pos] == '/') ++pos;
      while (pos < raw_path.size() && raw_path[pos] != '/') ++pos;
      ++count;
    }
    route.hub_path = std::string(raw_path.substr(0, pos));
  }
  // The segments after the hub: rest(0) .. rest(n - 1).
  const std::size_t first = i + 2;
  std::size_t last = seg.size;
  // `:send` is optional everywhere a send is possible.
  bool explicit_send = last > first && seg[last - 1] == ":send";
  if (explicit_send) --last;
  bool close = last > first && seg[last - 1] == ":closeConnections";
  if (close) --last;
  const std::size_t n = last - first;
  auto rest = [&seg, first](std::size_t k) { return seg[first + k]; };
  auto set = [&](RestOperation op) {  // always followed by a return
    route.operation = op;
    match.route = std::move(route);
  };
  match.path_known = true;
  // `users/{u}` and `groups/{g}`: send (POST), close (`:closeConnections`), existence (GET/HEAD).
  auto target_operations = [&](RestOperation send, RestOperation close_op, RestOperation exists) {
    if (close) {
      if (method == verb::post) set(close_op);
    } else if (method == verb::post) {
      set(send);
    } else if (is_check(method) && !explicit_send) {
      set(exists);
    }
  };
  // `users/{u}/groups/{g}` and `groups/{g}/users/{u}`: membership.
  auto membership_operations = [&] {
    if (method == verb::put)
      set(RestOperation::AddUserToGroup);
    else if (method == verb::delete_)
      set(RestOperation::RemoveUserFromGroup);
    else if (is_check(method))
      set(RestOperation::UserInGroup);
  };

  if (n == 0) {
    if (close) {
      if (method == verb::post) set(RestOperation::CloseAll);
    } else if (method == verb::post) {
      set(RestOperation::Broadcast);
    }
    return match;
  }
  if (explicit_send && close) {
    match.path_known = false;
    return match;
  }
  if (rest(0) == "users" && n >= 2) {
    route.user = std::string(rest(1));
    if (n == 2) {
      target_operations(RestOperation::SendToUser, RestOperation::CloseUser,
                        RestOperation::UserExists);
      return match;
    }
    if (close || explicit_send) {
      match.path_known = false;
      return match;
    }
    if (n == 3 && rest(2) == "groups") {
      if (method == verb::delete_) set(RestOperation::RemoveUserFromAllGroups);
      return match;
    }
    if (n == 4 && rest(2) == "groups") {
      route.group = std::string(rest(3));
      membership_operations();
      return match;
    }
  } else if (rest(0) == "groups" && n >= 2) {
    route.group = std::string(rest(1));
    if (n == 2) {
      target_operations(RestOperation::SendToGroup, RestOperation::CloseGroup,
                        RestOperation::GroupExists);
      return match;
    }
    if (close || explicit_send) {
      match.path_known = false;
      return match;
    }
    if (n == 4 && rest(2) == "users") {
      route.user = std::string(rest(3));
      membership_operations();
      return match;
    }
    if (n == 4 && rest(2) == "connections") {
      route.connection_id = std::string(rest(3));
      if (method == verb::put)
        set(RestOperation::AddConnectionToGroup);
      else if (method == verb::delete_)
        set(RestOperation::RemoveConnectionFromGroup);
      return match;
    }
  } else if (rest(0) == "connections" && n >= 2) {
    route.connection_id = std::string(rest(1));
    if (n == 2) {
      if (close) {
        match.path_known = false;
      } else if (method == verb::post) {
        set(RestOperation::SendToConnection);
      } else if (explicit_send) {
        // only POST sends
      } else if (is_check(method)) {
        set(RestOperation::ConnectionExists);
      } else if (method == verb::delete_) {
        set(RestOperation::CloseConnection);
      }
      return match;
    }
    if (close || explicit_send) {
      match.path_known = false;
      return match;
    }
    if (n == 3 && rest(2) == "groups") {
      if (method == verb::delete_) set(RestOperation::RemoveConnectionFromAllGroups);
      return match;
    }
    if (n == 4 && rest(2) == "groups") {
      route.group = std::string(rest(3));
      if (method == verb::put)
        set(RestOperation::AddConnectionToGroup);
      else if (method == verb::delete_)
        set(RestOperation::RemoveConnectionFromGroup);
      return match;
    }
  }
  match.path_known = false;
  return match;
}

std::string_view rest_operation_name(RestOperation operation) {
  switch (operation) {
    case RestOperation::Health:
      return "health";
    case RestOperation::Broadcast:
      return "broadcast";
    case RestOperation::SendToUser:
      return "send_to_user";
    case RestOperation::SendToGroup:
      return "send_to_group";
    case RestOperation::SendToConnection:
      return "send_to_connection";
    case RestOperation::CloseAll:
      return "close_all";
    case RestOperation::CloseUser:
      return "close_user";
    case RestOperation::CloseGroup:
      return "close_group";
    case RestOperation::CloseConnection:
      return "close_connection";
    case RestOperation::ConnectionExists:
      return "connection_exists";
    case RestOperation::UserExists:
      return "user_exists";
    case RestOperation::GroupExists:
      return "group_exists";
    case RestOperation::UserInGroup:
      return "user_in_group";
    case RestOperation::AddConnectionToGroup:
      return "add_connection_to_group";
    case RestOperation::RemoveConnectionFromGroup:
      return "remove_connection_from_group";
    case RestOperation::RemoveConnectionFromAllGroups:
      return "remove_connection_from_all_groups";
    case RestOperation::AddUserToGroup:
      return "add_user_to_group";
    case RestOperation::RemoveUserFromGroup:
      return "remove_user_from_group";
    case RestOperation::RemoveUserFromAllGroups:
      return "remove_user_from_all_groups";
  }
  return "unknown";
}

}  // namespace switchboard::service
