// Unit tests for the metrics registry: the Prometheus text format (escaping, numbers, histogram
// buckets cumulative with +Inf, _sum and _count) and the service's per-shard counters summed
// into one snapshot.
#include <gtest/gtest.h>

#include <thread>

#include "metrics/exposition.hpp"
#include "metrics/service_metrics.hpp"

namespace {

using namespace switchboard::metrics;

TEST(MetricsExposition, EscapesLabelValuesAsTheFormatRequires) {
  EXPECT_EQ(escape_label_value(R"(a\b"c)"
                               "\n"
                               "d"),
            R"(a\\b\"c\nd)");
  Exposition out;
  out.family("x_total", "counter", "Things.");
  out.sample("x_total", {{"hub", "q\"uote"}}, std::uint64_t{3});
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total{hub=\"q\\\"uote\"} 3\n");
}

TEST(MetricsExposition, WritesNumbersPlainlyAndSpellsInfinity) {
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(12), "12");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_number(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_number(0.0 / 0.0), "NaN");
}

TEST(MetricsExposition, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Exposition out;
  const double bounds[] = {0.1, 1};
  const std::uint64_t counts[] = {2, 0, 1};  // two at most 0.1, none in (0.1, 1], one above
  const Label labels[] = {{"function", "f"}};
  out.histogram("d_seconds", labels, bounds, counts, 5.5);
  EXPECT_EQ(out.text(),
            "d_seconds_bucket{function=\"f\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{function=\"f\",le=\"1\"} 2\n"
            "d_seconds_bucket{function=\"f\",le=\"+Inf\"} 3\n"
            "d_seconds_sum{function=\"f\"} 5.5\n"
            "d_seconds_count{function=\"f\"} 3\n");
}

TEST(ServiceMetrics, SumsEveryShardsCountersPerHub) {
  ServiceMetrics metrics(2, {"broadcast"});
  // Each shard's thread writes its own counters.
  std::thread a([&] {
    auto& chat = metrics.hub(0, "chat");
    chat.opened[0].add(3);
    chat.closed[0].add(1);
    chat.messages_sent[1].add(10);
    metrics.rest_request(0, 0, "chat", 202);
  });
  std::thread b([&] {
    auto& chat = metrics.hub(1, "chat");
    chat.opened[0].add(2);
    chat.messages_sent[1].add(5);
    metrics.rest_request(1, 0, "chat", 202);
    metrics.rest_request(1, 1, "", 404);  // no such operation: "unknown", no hub
    metrics.negotiate(1, 429);
  });
  a.join();
  b.join();
  metrics.refused(ServiceLimit::NegotiateRate);
  const auto snap = metrics.snapshot();
  ASSERT_EQ(snap.hubs.size(), 1u);
  const auto& chat = snap.hubs.at("chat");
  EXPECT_EQ(chat.opened[0], 5u);
  EXPECT_EQ(chat.connections(0), 4u);
  EXPECT_EQ(chat.messages_sent[1], 15u);
  EXPECT_EQ((snap.rest.at({"chat", 0u, 202u})), 2u);
  EXPECT_EQ((snap.rest.at({"", 1u, 404u})), 1u);
  EXPECT_EQ(snap.negotiate.at(429), 1u);
  EXPECT_EQ(snap.limits[static_cast<std::size_t>(ServiceLimit::NegotiateRate)], 1u);

  Exposition out;
  metrics.write(out);
  const auto& text = out.text();
  EXPECT_NE(text.find("switchboard_connections{hub=\"chat\",transport=\"WebSockets\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("switchboard_rest_requests_total{hub=\"chat\",operation=\"broadcast\","
                      "code=\"202\"} 2\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("switchboard_rest_requests_total{hub=\"\",operation=\"unknown\",code=\"404\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("switchboard_limit_refusals_total{limit=\"negotiate_rate\"} 1\n"),
            std::string::npos);
}

TEST(ServiceMetrics, CapsTheHubLabelsAndCountsTheRestUnderOther) {
  ServiceMetrics metrics(2, {"broadcast"}, 2);
  metrics.hub(0, "a").opened[0].add();
  metrics.hub(1, "b").opened[0].add();
  metrics.hub(0, "c").opened[0].add();  // the third hub: "_other"
  metrics.hub(1, "d").opened[0].add();  // and the fourth
  metrics.hub(1, "a").opened[0].add();  // a labelled hub keeps its label on every shard
  metrics.rest_request(0, 0, "e", 202);
  metrics.rest_request(0, 0, "b", 202);
  const auto snap = metrics.snapshot();
  ASSERT_EQ(snap.hubs.size(), 3u);
  EXPECT_EQ(snap.hubs.at("a").opened[0], 2u);
  EXPECT_EQ(snap.hubs.at("b").opened[0], 1u);
  EXPECT_EQ(snap.hubs.at("_other").opened[0], 2u);
  EXPECT_EQ((snap.rest.at({"_other", 0u, 202u})), 1u);
  EXPECT_EQ((snap.rest.at({"b", 0u, 202u})), 1u);
}

// A shard remembers the entry it counted last (a REST client repeats one call): repeats, and
// changes of hub, operation or status in any order, all land on the right entries.
TEST(ServiceMetrics, CountsRepeatedAndAlternatingRestCallsExactly) {
  ServiceMetrics metrics(1, {"broadcast", "send_to_user"}, 2);
  for (int i = 0; i < 5; ++i) metrics.rest_request(0, 1, "chat", 202);
  metrics.rest_request(0, 1, "chat", 401);
  metrics.rest_request(0, 0, "chat", 202);
  metrics.rest_request(0, 1, "chat", 202);
  metrics.rest_request(0, 1, "news", 202);
  metrics.rest_request(0, 1, "third", 202);  // over the cap: "_other"
  metrics.rest_request(0, 1, "third", 202);
  metrics.rest_request(0, 1, "fourth", 202);  // "_other" too
  metrics.rest_request(0, 1, "news", 202);
  const auto snap = metrics.snapshot();
  EXPECT_EQ((snap.rest.at({"chat", 1u, 202u})), 6u);
  EXPECT_EQ((snap.rest.at({"chat", 1u, 401u})), 1u);
  EXPECT_EQ((snap.rest.at({"chat", 0u, 202u})), 1u);
  EXPECT_EQ((snap.rest.at({"news", 1u, 202u})), 2u);
  EXPECT_EQ((snap.rest.at({"_other", 1u, 202u})), 3u);
  EXPECT_EQ(snap.rest.size(), 5u);
}

TEST(ServiceMetrics, UnlabelledHubsAreCountedNowhere) {
  ServiceMetrics metrics(1, {"broadcast"}, 1, {"_dashboard"});
  metrics.hub(0, "_dashboard").messages_sent[0].add(7);
  metrics.hub(0, "chat").messages_sent[0].add(1);  // still gets the one label
  const auto snap = metrics.snapshot();
  ASSERT_EQ(snap.hubs.size(), 1u);
  EXPECT_EQ(snap.hubs.at("chat").messages_sent[0], 1u);
  Exposition out;
  metrics.write(out);
  EXPECT_EQ(out.text().find("_dashboard"), std::string::npos);
}

}  // namespace
