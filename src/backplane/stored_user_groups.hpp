// What a cluster node knows of the stored user-group memberships (add user to group, permanent or
// with a ttl) of the users it holds connections of, so that it can put them back when Redis comes
// back without its data (the connections' own groups it re-registers from its directory). Learnt
// from the answer to a connection's registration and from the JoinUser / LeaveUser notices, which
// reach every node holding one of the user's connections. Used on the Redis thread only.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchboard::backplane {

class StoredUserGroups {
 public:
  // `spec`: "p" permanent, "t<expiry ms>" with a ttl (Redis's clock), "n" none stored (ttl=0).
  void joined(const std::string& hub, const std::string& user, const std::string& group,
              const std::string& spec);
  void left(const std::string& hub, const std::string& user, const std::string& group);
  void left_all(const std::string& hub, const std::string& user);
  // The user's memberships as Redis listed them when a connection registered: group, spec pairs.
  // One this node already knows stays (a notice that arrived meanwhile is the newer word).
  void listed(const std::string& hub, const std::string& user,
              const std::vector<std::string>& pairs);
  void forget_user(const std::string& hub, const std::string& user);

  struct User {
    std::string hub;
    std::string user;
    std::vector<std::string> pairs;  // group, spec, group, spec, ...
  };
  std::vector<User> users() const;
  std::size_t size() const { return users_.size(); }

 private:
  static std::string key(const std::string& hub, const std::string& user);
  std::unordered_map<std::string, std::map<std::string, std::string>> users_;
};

}  // namespace switchboard::backplane
