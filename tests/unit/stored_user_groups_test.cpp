// Unit tests for a cluster node's copy of its users' stored group memberships: notices add and
// remove them, a registration's listing fills in what the node did not know without overriding a
// newer notice, and users() lists them per user, ready for the restore script.
#include <gtest/gtest.h>

#include <algorithm>

#include "backplane/stored_user_groups.hpp"

namespace switchboard::backplane {
namespace {

std::vector<std::string> pairs_of(const StoredUserGroups& stored, const std::string& hub,
                                  const std::string& user) {
  for (auto& u : stored.users())
    if (u.hub == hub && u.user == user) return u.pairs;
  return {};
}

TEST(StoredUserGroups, NoticesAddReplaceAndRemoveMemberships) {
  StoredUserGroups stored;
  stored.joined("chat", "alice", "a", "p");
  stored.joined("chat", "alice", "b", "t1700000000000");
  EXPECT_EQ(pairs_of(stored, "chat", "alice"),
            (std::vector<std::string>{"a", "p", "b", "t1700000000000"}));
  stored.joined("chat", "alice", "b", "p");  // made permanent
  stored.joined("chat", "alice", "a", "n");  // ttl=0: no longer stored
  EXPECT_EQ(pairs_of(stored, "chat", "alice"), (std::vector<std::string>{"b", "p"}));
  stored.left("chat", "alice", "b");
  EXPECT_EQ(stored.size(), 0u);
}

TEST(StoredUserGroups, UsersAreKeptApartByHubAndLeaveAllForgetsOneUser) {
  StoredUserGroups stored;
  stored.joined("chat", "alice", "g", "p");
  stored.joined("lobby", "alice", "g", "p");
  stored.joined("chat", "bob", "g", "p");
  stored.left_all("chat", "alice");
  EXPECT_TRUE(pairs_of(stored, "chat", "alice").empty());
  EXPECT_EQ(pairs_of(stored, "lobby", "alice"), (std::vector<std::string>{"g", "p"}));
  EXPECT_EQ(pairs_of(stored, "chat", "bob"), (std::vector<std::string>{"g", "p"}));
  stored.forget_user("chat", "bob");
  EXPECT_EQ(stored.size(), 1u);
}

TEST(StoredUserGroups, AListingFillsInButANewerNoticeWins) {
  StoredUserGroups stored;
  stored.joined("chat", "alice", "a", "t2000");
  stored.listed("chat", "alice", {"a", "t1000", "b", "p"});
  EXPECT_EQ(pairs_of(stored, "chat", "alice"), (std::vector<std::string>{"a", "t2000", "b", "p"}));
  stored.listed("chat", "carol", {});
  EXPECT_TRUE(pairs_of(stored, "chat", "carol").empty());
  EXPECT_EQ(stored.size(), 1u);
}

TEST(StoredUserGroups, AnUnknownSpecIsNotStored) {
  StoredUserGroups stored;
  stored.joined("chat", "alice", "a", "");   // a notice of the previous version: no spec
  stored.joined("chat", "alice", "b", "t");  // no expiry
  EXPECT_EQ(stored.size(), 0u);
}

}  // namespace
}  // namespace switchboard::backplane
