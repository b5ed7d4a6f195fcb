#include "archive/planner.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "rotguard/url.h"

namespace rotguard::archiver {
namespace {

constexpr int64_t kDayUs = 86'400'000'000;

Link LinkTo(const std::string& url, LinkKind kind = LinkKind::kLink) {
  Link link;
  link.kind = kind;
  link.url = url;
  link.normalized = NormalizeUrl(url).value_or("");
  return link;
}

class PlannerTest : public ::testing::Test {
 protected:
  Plan PlanOf(const std::vector<Link>& links,
              const std::vector<std::string>& urls = {}) {
    Result<ScopeFilter> scope = ScopeFilter::Create(config_.scope);
    EXPECT_TRUE(scope.ok());
    PlanInput input;
    input.links = &links;
    input.urls = &urls;
    input.known = &known_;
    input.scope = &*scope;
    input.now_us = now_us_;
    input.all = all_;
    input.dry_run = dry_run_;
    Result<Plan> plan = PlanDue(config_, input);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return plan.ok() ? *plan : Plan{};
  }

  // A urls row captured `age_days` ago and fine since.
  void Known(const std::string& url, int age_days) {
    UrlRow row;
    row.normalized = *NormalizeUrl(url);
    row.last_capture_us = now_us_ - age_days * kDayUs;
    row.last_ok_unix = row.last_capture_us / 1'000'000;
    row.verdict = "ok";
    known_[row.normalized] = row;
  }

  Config config_;
  std::unordered_map<std::string, UrlRow> known_;
  int64_t now_us_ = 1'700'000'000'000'000;
  bool all_ = false;
  bool dry_run_ = false;
};

TEST_F(PlannerTest, NewUrlsAreDueOncePerNormalizedUrl) {
  Plan plan =
      PlanOf({LinkTo("https://a.example/x"), LinkTo("https://A.example/x"),
              LinkTo("https://b.example/")});
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.due, 2);
  EXPECT_EQ(plan.jobs[0].url, "https://a.example/x");
  EXPECT_EQ(plan.jobs[0].info.role, JobRole::kTarget);
  EXPECT_EQ(plan.jobs[1].url, "https://b.example/");
}

TEST_F(PlannerTest, ALinkOccurrenceNamesTheKindOfAnImageTarget) {
  const std::string url = "https://a.example/pic.html";
  Plan plan = PlanOf({LinkTo(url, LinkKind::kImage), LinkTo(url)});
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].info.kind, "link");
}

TEST_F(PlannerTest, RecentlyCapturedUrlsAreNotDueUnlessAll) {
  Known("https://a.example/x", 1);
  EXPECT_TRUE(PlanOf({LinkTo("https://a.example/x")}).jobs.empty());
  all_ = true;
  Plan plan = PlanOf({LinkTo("https://a.example/x")});
  ASSERT_EQ(plan.jobs.size(), 1u);
  ASSERT_TRUE(plan.jobs[0].info.before.has_value());
  EXPECT_EQ(plan.jobs[0].info.before->verdict, "ok");
}

TEST_F(PlannerTest, OutOfScopeUrlsAreSkipped) {
  config_.scope.exclude_hosts = {"skip.example"};
  Plan plan = PlanOf(
      {LinkTo("https://skip.example/a"), LinkTo("https://keep.example/a")});
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].url, "https://keep.example/a");
}

TEST_F(PlannerTest, BloggerImagePlansItsOriginalEvenWhenTheImageIsNotDue) {
  const std::string image =
      "https://blogger.googleusercontent.com/img/b/R29v/s640/cat.jpg";
  Plan plan = PlanOf({LinkTo(image, LinkKind::kImage)});
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[1].info.role, JobRole::kOriginal);
  EXPECT_NE(plan.jobs[1].url.find("/s0/"), std::string::npos);
  EXPECT_EQ(plan.jobs[0].info.asset_key, plan.jobs[1].info.asset_key);
  EXPECT_EQ(plan.due, 1);  // originals are not counted as due targets

  Known(image, 1);
  plan = PlanOf({LinkTo(image, LinkKind::kImage)});
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].info.role, JobRole::kOriginal);
}

TEST_F(PlannerTest, DryRunListsDueTargetsAndOriginalsWithTheirReasons) {
  dry_run_ = true;
  Plan plan = PlanOf({}, {"https://named.example/"});
  ASSERT_EQ(plan.due_urls.size(), 1u);
  EXPECT_EQ(plan.due_urls[0].kind, "url");
  EXPECT_EQ(plan.due_urls[0].reason, DueReason::kNew);
}

TEST_F(PlannerTest, ANamedUrlThatIsNotAbsoluteIsAnError) {
  Result<ScopeFilter> scope = ScopeFilter::Create(config_.scope);
  std::vector<Link> links;
  std::vector<std::string> urls = {"not a url"};
  PlanInput input;
  input.links = &links;
  input.urls = &urls;
  input.known = &known_;
  input.scope = &*scope;
  Result<Plan> plan = PlanDue(config_, input);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rotguard::archiver
