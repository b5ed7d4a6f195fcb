#include "rotguard/chain_outcome.h"

#include <gtest/gtest.h>

namespace rotguard {
namespace {

ChainFacts Chain(std::vector<ChainHop> hops,
                 FailureClass failure = FailureClass::kNone) {
  ChainFacts facts;
  facts.link_url = hops.empty() ? "" : hops.front().url;
  facts.final_status = hops.empty() ? 0 : hops.back().status;
  facts.last_attempted = hops.empty() ? "" : hops.back().url;
  facts.hops = std::move(hops);
  facts.failure = failure;
  return facts;
}

TEST(ChainOutcomeTest, FinalUrlIsTheLastResponseNotTheLastAttempt) {
  ChainFacts facts = Chain({{"https://a.example/x", 301}}, FailureClass::kDns);
  facts.last_attempted = "https://gone.example/x";
  ChainOutcome outcome = JudgeChain(Config{}, facts);
  EXPECT_EQ(outcome.final_url, "https://a.example/x");
  EXPECT_EQ(outcome.failure, FailureClass::kDns);
}

TEST(ChainOutcomeTest, NoResponseAtAllEndsAtTheLastAttempt) {
  ChainFacts facts;
  facts.link_url = "https://nx.example/";
  facts.last_attempted = "https://nx.example/";
  facts.failure = FailureClass::kDns;
  ChainOutcome outcome = JudgeChain(Config{}, facts);
  EXPECT_EQ(outcome.final_url, "https://nx.example/");
  EXPECT_EQ(outcome.observation.hops, 1);  // a chain counts at least one hop
  EXPECT_EQ(outcome.observation.final_status, 0);
}

TEST(ChainOutcomeTest, UnacceptedErrorStatusBecomesItsHttpFailureClass) {
  ChainOutcome outcome =
      JudgeChain(Config{}, Chain({{"https://a.example/x", 404}}));
  EXPECT_EQ(outcome.failure, FailureClass::kHttp4xx);
  EXPECT_FALSE(outcome.observation.accepted_status);
  EXPECT_EQ(outcome.observation.failure, FailureClass::kNone);  // fetcher's
  outcome = JudgeChain(Config{}, Chain({{"https://a.example/x", 503}}));
  EXPECT_EQ(outcome.failure, FailureClass::kHttp5xx);
}

TEST(ChainOutcomeTest, StatusTheFinalHostAcceptsIsNoFailure) {
  Config config;
  config.hosts["picky.example"].accept_statuses = {403};
  ChainOutcome outcome = JudgeChain(
      config,
      Chain({{"https://t.co/x", 301}, {"https://picky.example/", 403}}));
  EXPECT_TRUE(outcome.observation.accepted_status);
  EXPECT_EQ(outcome.failure, FailureClass::kNone);
}

TEST(ChainOutcomeTest, StatusTheLinkedHostAcceptsCountsAfterARedirect) {
  Config config;
  config.hosts["picky.example"].accept_statuses = {403};
  ChainOutcome outcome =
      JudgeChain(config, Chain({{"https://picky.example/a", 301},
                                {"https://www.picky.example/a", 403}}));
  EXPECT_TRUE(outcome.observation.accepted_status);
  EXPECT_EQ(outcome.failure, FailureClass::kNone);
}

TEST(ChainOutcomeTest, AcceptStatusesOfAnotherHostOrStatusDoNotCount) {
  Config config;
  config.hosts["picky.example"].accept_statuses = {403};
  EXPECT_FALSE(JudgeChain(config, Chain({{"https://other.example/", 403}}))
                   .observation.accepted_status);
  EXPECT_FALSE(JudgeChain(config, Chain({{"https://picky.example/", 404}}))
                   .observation.accepted_status);
}

TEST(ChainOutcomeTest, FirstNonShortenerStatusSkipsShortenerHops) {
  ChainOutcome outcome =
      JudgeChain(Config{}, Chain({{"https://bit.ly/x", 301},
                                  {"https://t.co/y", 302},
                                  {"https://blog.example/old", 308},
                                  {"https://blog.example/new", 200}}));
  EXPECT_EQ(outcome.observation.first_non_shortener_status, 308);
  EXPECT_EQ(outcome.observation.hops, 4);
  EXPECT_EQ(outcome.observation.final_status, 200);
  EXPECT_EQ(outcome.final_url, "https://blog.example/new");
}

TEST(ChainOutcomeTest, OnlyShortenerHopsLeaveNoNonShortenerStatus) {
  ChainOutcome outcome =
      JudgeChain(Config{}, Chain({{"https://bit.ly/x", 404}}));
  EXPECT_EQ(outcome.observation.first_non_shortener_status, 0);
}

TEST(ChainOutcomeTest, JudgedChainGivesTheVerdictOfItsObservation) {
  Config config;
  ChainOutcome outcome =
      JudgeChain(config, Chain({{"https://bit.ly/x", 301},
                                {"https://blog.example/a", 301},
                                {"https://blog.example/b", 200}}));
  UrlRow row;
  ApplyHealthObservation(config.health, outcome.observation, &row);
  EXPECT_EQ(row.verdict, kVerdictMoved);
}

}  // namespace
}  // namespace rotguard
