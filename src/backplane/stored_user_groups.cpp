// A cluster node's copy of its users' stored group memberships: see stored_user_groups.hpp.
#include "backplane/stored_user_groups.hpp"

namespace switchboard::backplane {

std::string StoredUserGroups::key(const std::string& hub, const std::string& user) {
  std::string k;
  k.reserve(hub.size() + 1 + user.size());
  k.append(hub).push_back('\0');
  k.append(user);
  return k;
}

void StoredUserGroups::joined(const std::string& hub, const std::string& user,
                              const std::string& group, const std::string& spec) {
  if (spec == "p" || (spec.size() > 1 && spec[0] == 't')) {
    users_[key(hub, user)][group] = spec;
  } else {
    left(hub, user, group);  // "n": the membership is no longer stored
  }
}

void StoredUserGroups::left(const std::string& hub, const std::string& user,
                            const std::string& group) {
  auto it = users_.find(key(hub, user));
  if (it == users_.end()) return;
  it->second.erase(group);
  if (it->second.empty()) users_.erase(it);
}

void StoredUserGroups::left_all(const std::string& hub, const std::string& user) {
  users_.erase(key(hub, user));
}

void StoredUserGroups::listed(const std::string& hub, const std::string& user,
                              const std::vector<std::string>& pairs) {
  if (pairs.size() < 2) return;
  auto& groups = users_[key(hub, user)];
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) groups.emplace(pairs[i], pairs[i + 1]);
}

void StoredUserGroups::forget_user(const std::string& hub, const std::string& user) {
  users_.erase(key(hub, user));
}

std::vector<StoredUserGroups::User> StoredUserGroups::users() const {
  std::vector<User> out;
  out.reserve(users_.size());
  for (const auto& [k, groups] : users_) {
    auto separator = k.find('\0');
    User u{k.substr(0, separator), k.substr(separator + 1), {}};
    for (const auto& [group, spec] : groups) {
      u.pairs.push_back(group);
      u.pairs.push_back(spec);
    }
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace switchboard::backplane
