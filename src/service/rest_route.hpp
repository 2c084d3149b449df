// Matching of data-plane REST requests (method + raw target) to operations, for the v1 and the
// 2022-06-01 path forms, with the emulator's leniency: both path orders, GET and HEAD for checks,
// `:send` optional. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

namespace switchboard::service {

enum class RestOperation {
  Health,
  Broadcast,
  SendToUser,
  SendToGroup,
  SendToConnection,
  CloseAll,
  CloseUser,
  CloseGroup,
  CloseConnection,
  ConnectionExists,
  UserExists,
  GroupExists,
  UserInGroup,
  AddConnectionToGroup,
  RemoveConnectionFromGroup,
  RemoveConnectionFromAllGroups,
  AddUserToGroup,
  RemoveUserFromGroup,
  RemoveUserFromAllGroups,
};
inline constexpr std::size_t kRestOperationCount =
    static_cast<std::size_t>(RestOperation::RemoveUserFromAllGroups) + 1;

// The operation's name in metrics (snake_case, e.g. "send_to_user").
std::string_view rest_operation_name(RestOperation operation);

struct RestRoute {
  RestOperation operation = RestOperation::Health;
  bool v1 = false;       // the /api/v1/ form
  std::string hub;       // as written in the path (not yet lower-cased or prefixed)
  std::string hub_path;  // raw path up to and including the hub segment (for audiences)
  std::string user;
  std::string group;
  std::string connection_id;
};

struct RestMatch {
  std::optional<RestRoute> route;
  bool path_known = false;  // the path exists but not with this method (405)
};

RestMatch match_rest_route(boost::beast::http::verb method, std::string_view raw_path);

}  // namespace switchboard::service
