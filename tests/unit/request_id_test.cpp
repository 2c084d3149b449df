// Unit tests for request ids (host and REST API): a sane x-request-id is kept, anything else
// (empty, too long, spaces, quotes, control characters) is replaced by a new UUID.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "net/request_id.hpp"

namespace {

using namespace switchboard::net;

TEST(RequestId, KeepsASaneIncomingId) {
  EXPECT_EQ(request_id_for("abc-123_x.y:z/+="), "abc-123_x.y:z/+=");
  EXPECT_EQ(request_id_for(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(RequestId, ReplacesAnythingElseWithAUuid) {
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("a b"),
                          std::string("a\"b"), std::string("a\nb"), std::string("\xc3\xa9")}) {
    EXPECT_FALSE(accepted_request_id(bad).has_value()) << bad;
    const auto id = request_id_for(bad);
    EXPECT_EQ(id.size(), 36u) << bad;
    EXPECT_EQ(id[8], '-');
  }
  EXPECT_NE(request_id_for(""), request_id_for(""));
}

TEST(RequestId, NewIdsAreDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = request_id_for("");
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');  // version 4
    EXPECT_EQ(id[18], '-');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    EXPECT_EQ(id[23], '-');
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef-"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestId, ViewIsTheIncomingIdOrANewOneInPlace) {
  const std::string incoming = "caller-id-1";
  EXPECT_EQ(request_id_view(incoming).data(), incoming.data());  // no copy
  const std::string first(request_id_view(""));
  const std::string_view second = request_id_view("bad id");
  ASSERT_EQ(second.size(), 36u);
  EXPECT_NE(first, second);
  // Both from this thread's sequence: the same random part, consecutive counters.
  EXPECT_EQ(first.substr(0, 19), second.substr(0, 19));
  EXPECT_EQ(std::stoull(first.substr(24), nullptr, 16) + 1,
            std::stoull(std::string(second.substr(24)), nullptr, 16));
  EXPECT_EQ(request_id_for("").substr(0, 19), first.substr(0, 19));
}

}  // namespace
