// The libcurl Fetcher against the loopback fixture web (tools/fixture-web):
// every scenario of SPEC §6 / §13 "HTTP details", each bounded to seconds.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rotguard/fetch.h"
#include "unit/temp_dir.h"
#include "unit/test_support/fixture_web.h"
#include "util/handles.h"

namespace rotguard {
namespace {

using std::chrono::steady_clock;

struct Seen {
  std::string url;
  int hop_index = 0;
  HopKind hop_kind = HopKind::kFirst;
  int attempt = 0;
  bool retrying = false;
  int status = 0;
  std::string next_url;
  HopKind next_kind = HopKind::kFirst;
  std::string request_head;
  std::string head;
  std::string truncated;
  std::string protocol;
  std::string ip;
  std::string body;  // first 64 KiB
  uint64_t payload_length = 0;
  std::chrono::system_clock::time_point started, ended;
};

class RecordingSink : public FetchSink {
 public:
  void OnExchange(const FetchJob&, FetchedExchange& ex) override {
    Seen s;
    s.url = ex.url;
    s.hop_index = ex.hop_index;
    s.hop_kind = ex.hop_kind;
    s.attempt = ex.attempt;
    s.retrying = ex.retrying;
    s.status = ex.http_status;
    s.next_url = ex.next_url;
    s.next_kind = ex.next_kind;
    s.request_head = ex.request_head;
    s.head = ex.response->head();
    s.truncated = ex.response->truncated();
    s.protocol = ex.protocol;
    s.ip = ex.ip_address;
    s.payload_length = ex.response->payload_length();
    EXPECT_TRUE(ex.response
                    ->ForEachBodyChunk([&](std::string_view chunk) {
                      if (s.body.size() < 65536) s.body.append(chunk);
                      return Status::Ok();
                    })
                    .ok());
    s.started = ex.started;
    s.ended = std::chrono::system_clock::now();
    exchanges.push_back(std::move(s));
  }
  void OnDone(const FetchOutcome& outcome) override {
    outcomes.push_back(outcome);
  }
  std::vector<Seen> exchanges;
  std::vector<FetchOutcome> outcomes;
};

class CurlFetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { web_ = new testing::FixtureWeb(); }
  static void TearDownTestSuite() {
    delete web_;
    web_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(web_->ok) << "tools/fixture-web did not start";
  }

  // Fixture hosts mapped with --connect-to, quick timeouts and retries.
  static FetchOptions Options() {
    FetchOptions o;
    o.connect_to = web_->connect_to;
    o.cacert = web_->env["FIXTURE_CACERT"];
    o.fetch.delay_ms = 0;
    o.fetch.backoff_ms = 20;
    o.fetch.retries = 2;
    o.fetch.connect_timeout_s = 2;
    o.fetch.total_timeout_s = 10;
    o.fetch.retry_after_cap_s = 0;
    o.low_speed_time_s = 3;
    return o;
  }

  static RecordingSink Fetch(FetchOptions options,
                             const std::vector<std::string>& urls,
                             const std::string& method = "GET") {
    RecordingSink sink;
    Result<std::unique_ptr<Fetcher>> fetcher =
        NewCurlFetcher(std::move(options));
    EXPECT_TRUE(fetcher.ok()) << fetcher.status().ToString();
    if (!fetcher.ok()) return sink;
    uint64_t tag = 0;
    for (const std::string& url : urls) {
      FetchJob job;
      job.url = url;
      job.tag = tag++;
      job.method = method;
      (*fetcher)->Add(std::move(job));
    }
    EXPECT_TRUE((*fetcher)->Run(sink).ok());
    EXPECT_EQ(sink.outcomes.size(), urls.size());
    return sink;
  }

  static std::string Unique() {
    static std::atomic<int> n{0};
    return std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" +
           std::to_string(steady_clock::now().time_since_epoch().count());
  }

  static testing::FixtureWeb* web_;
};

testing::FixtureWeb* CurlFetcherTest::web_ = nullptr;

const char* kSite = "http://scenarios.example.org";

TEST_F(CurlFetcherTest, ShortenerChainIsDeliveredHopByHopInOrder) {
  RecordingSink sink = Fetch(Options(), {"http://ift.tt/abc123"});
  ASSERT_EQ(sink.exchanges.size(), 3u);
  const auto& e = sink.exchanges;
  EXPECT_EQ(e[0].url, "http://ift.tt/abc123");
  EXPECT_EQ(e[0].status, 301);
  EXPECT_EQ(e[0].hop_kind, HopKind::kFirst);
  EXPECT_EQ(e[0].next_url, e[1].url);
  EXPECT_EQ(e[0].next_kind, HopKind::kLocation);
  EXPECT_EQ(e[1].url, "https://feeds.feedburner.com/~r/abc123");
  EXPECT_EQ(e[1].status, 302);
  EXPECT_EQ(e[1].hop_index, 1);
  EXPECT_EQ(e[1].hop_kind, HopKind::kLocation);
  EXPECT_EQ(e[1].next_url, e[2].url);
  EXPECT_EQ(e[2].status, 200);
  EXPECT_EQ(e[2].hop_index, 2);
  EXPECT_EQ(e[2].next_url, "");
  EXPECT_EQ(e[0].request_head.rfind("GET /abc123 HTTP/1.1\r\n", 0), 0u)
      << e[0].request_head;
  EXPECT_NE(e[0].request_head.find("Host: ift.tt"), std::string::npos);
  EXPECT_NE(e[0].request_head.find("Accept-Encoding: gzip"), std::string::npos);
  EXPECT_EQ(e[0].request_head.substr(e[0].request_head.size() - 4), "\r\n\r\n");
  EXPECT_EQ(e[0].ip, web_->env["FIXTURE_ADDR"]);
  EXPECT_EQ(e[2].head.rfind("HTTP/1.", 0), 0u);
  const FetchOutcome& out = sink.outcomes[0];
  EXPECT_EQ(out.failure, FailureClass::kNone) << out.error;
  EXPECT_EQ(out.final_status, 200);
  EXPECT_EQ(out.final_url, e[2].url);
  EXPECT_EQ(out.hops, 3);
  EXPECT_EQ(out.attempts, 3);
}

// Jobs from another thread while Run() is active (the recording proxy's
// connection threads), and a Run() that waits for them until told to end.
class SignallingSink : public FetchSink {
 public:
  void OnExchange(const FetchJob&, FetchedExchange& ex) override {
    std::lock_guard<std::mutex> lock(mu);
    request_heads.push_back(ex.request_head);
  }
  void OnDone(const FetchOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mu);
    outcomes.push_back(outcome);
    cv.notify_all();
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60),
                       [&] { return outcomes.size() >= n; });
  }
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> request_heads;
  std::vector<FetchOutcome> outcomes;
};

TEST_F(CurlFetcherTest, KeepRunningTakesJobsFromOtherThreadsUntilEnded) {
  FetchOptions o = Options();
  o.keep_running = true;
  Result<std::unique_ptr<Fetcher>> fetcher = NewCurlFetcher(std::move(o));
  ASSERT_TRUE(fetcher.ok());
  SignallingSink sink;
  std::atomic<bool> returned{false};
  Status run;
  std::thread runner([&] {
    run = (*fetcher)->Run(sink);
    returned = true;
  });
  FetchJob first;
  first.url = std::string(kSite) + "/page/one";
  (*fetcher)->AddFromAnyThread(first);
  ASSERT_TRUE(sink.WaitFor(1));
  EXPECT_FALSE(returned.load());  // idle, but kept running
  FetchJob second;
  second.url = std::string(kSite) + "/headers";
  second.method = "DELETE";  // a method other than GET/HEAD/POST, as is
  (*fetcher)->AddFromAnyThread(second);
  ASSERT_TRUE(sink.WaitFor(2));
  (*fetcher)->EndKeepRunning();
  runner.join();
  EXPECT_TRUE(run.ok());
  ASSERT_EQ(sink.outcomes.size(), 2u);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kNone);
  ASSERT_EQ(sink.request_heads.size(), 2u);
  EXPECT_EQ(sink.request_heads[1].rfind("DELETE /headers HTTP/1.1\r\n", 0), 0u)
      << sink.request_heads[1];
}

TEST_F(CurlFetcherTest, RefreshHeaderIsAHop) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/refresh-header?to=/status/200"});
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.exchanges[0].next_kind, HopKind::kRefresh);
  EXPECT_EQ(sink.exchanges[1].url, std::string(kSite) + "/status/200");
  EXPECT_EQ(sink.exchanges[1].hop_kind, HopKind::kRefresh);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kNone);
}

TEST_F(CurlFetcherTest, MetaRefreshIsAHop) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/meta-refresh?to=/status/200"});
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.exchanges[0].status, 200);
  EXPECT_EQ(sink.exchanges[0].next_kind, HopKind::kMetaRefresh);
  EXPECT_EQ(sink.exchanges[1].hop_kind, HopKind::kMetaRefresh);
  EXPECT_EQ(sink.exchanges[1].url, std::string(kSite) + "/status/200");
}

TEST_F(CurlFetcherTest, InterstitialMetaRefreshLeadsToTheTarget) {
  RecordingSink sink = Fetch(Options(), {"https://t.co/xyz"});
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.exchanges[1].url, "https://news.example.com/xyz");
  EXPECT_EQ(sink.outcomes[0].final_status, 200);
}

TEST_F(CurlFetcherTest, LoopEndsAsRedirectLoop) {
  RecordingSink sink = Fetch(Options(), {std::string(kSite) + "/loop"});
  ASSERT_FALSE(sink.exchanges.empty());
  EXPECT_LE(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kRedirectLoop)
      << sink.outcomes[0].error;
}

TEST_F(CurlFetcherTest, TwelveHopChainStopsAfterMaxRedirects) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/redirect/12?to=/status/200"});
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kTooManyRedirects);
  EXPECT_EQ(sink.exchanges.size(), 11u);  // the first request + 10 hops
  for (size_t i = 0; i < sink.exchanges.size(); ++i) {
    EXPECT_EQ(sink.exchanges[i].hop_index, static_cast<int>(i));
  }
}

TEST_F(CurlFetcherTest, TenRedirectsAreStillFollowed) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/redirect/10?to=/status/200"});
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kNone)
      << sink.outcomes[0].error;
  EXPECT_EQ(sink.exchanges.size(), 11u);
  EXPECT_EQ(sink.outcomes[0].final_status, 200);
}

TEST_F(CurlFetcherTest, ServiceUnavailableThenOkIsRetried) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/flaky/503/1?key=" + Unique()});
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.exchanges[0].status, 503);
  EXPECT_TRUE(sink.exchanges[0].retrying);
  EXPECT_EQ(sink.exchanges[1].status, 200);
  EXPECT_EQ(sink.exchanges[1].attempt, 1);
  EXPECT_FALSE(sink.exchanges[1].retrying);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kNone);
  EXPECT_EQ(sink.outcomes[0].attempts, 2);
  EXPECT_EQ(sink.outcomes[0].hops, 1);
}

TEST_F(CurlFetcherTest, PersistentServerErrorEndsAfterTheRetries) {
  FetchOptions o = Options();
  o.fetch.retries = 1;
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/status/500"});
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kNone);
  EXPECT_EQ(sink.outcomes[0].final_status, 500);
}

TEST_F(CurlFetcherTest, TooManyRequestsWaitsForRetryAfterUpToTheCap) {
  FetchOptions o = Options();
  o.fetch.retry_after_cap_s = 1;
  auto start = steady_clock::now();
  RecordingSink sink =
      Fetch(o, {std::string(kSite) + "/flaky/429/1?key=" + Unique() +
                "&retry-after=30"});
  auto took = steady_clock::now() - start;
  ASSERT_EQ(sink.exchanges.size(), 2u);
  EXPECT_EQ(sink.exchanges[0].status, 429);
  EXPECT_EQ(sink.exchanges[1].status, 200);
  EXPECT_GE(took, std::chrono::milliseconds(950));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(CurlFetcherTest, MaxSizeCutsTheBodyAndStillDeliversIt) {
  FetchOptions o = Options();
  o.fetch.max_size = 10000;
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/big/100000"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].payload_length, 10000u);
  EXPECT_EQ(sink.exchanges[0].truncated, "length");
  EXPECT_FALSE(sink.exchanges[0].retrying);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kTooLarge);
}

TEST_F(CurlFetcherTest, ShortContentLengthIsATruncatedDisconnect) {
  FetchOptions o = Options();
  o.fetch.retries = 0;
  RecordingSink sink =
      Fetch(o, {std::string(kSite) + "/truncated/100?claim=1000"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].truncated, "disconnect");
  EXPECT_EQ(sink.exchanges[0].payload_length, 100u);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kTruncated);
}

TEST_F(CurlFetcherTest, ChunkedBodyArrivesDecoded) {
  RecordingSink sink = Fetch(Options(), {std::string(kSite) + "/chunked/5000"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].payload_length, 5000u);
  EXPECT_NE(sink.exchanges[0].head.find("hunked"), std::string::npos);
  EXPECT_EQ(sink.exchanges[0].truncated, "");
}

TEST_F(CurlFetcherTest, GzipContentCodingIsKeptAsReceived) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/gzip/page.html"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  const std::string& body = sink.exchanges[0].body;
  ASSERT_GE(body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(body[1]), 0x8b);
}

TEST_F(CurlFetcherTest, ResetMidBodyIsAReset) {
  FetchOptions o = Options();
  o.fetch.retries = 0;
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/reset/1000"});
  EXPECT_TRUE(sink.outcomes[0].failure == FailureClass::kReset ||
              sink.outcomes[0].failure == FailureClass::kTruncated)
      << FailureClassName(sink.outcomes[0].failure) << " "
      << sink.outcomes[0].error;
}

TEST_F(CurlFetcherTest, SlowDripTimesOut) {
  FetchOptions o = Options();
  o.fetch.retries = 0;
  o.low_speed_bytes = 1000;
  o.low_speed_time_s = 1;
  auto start = steady_clock::now();
  RecordingSink sink =
      Fetch(o, {std::string(kSite) + "/drip/100?interval_ms=500"});
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kTimeout)
      << sink.outcomes[0].error;
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(CurlFetcherTest, FullBacklogListenerIsAConnectTimeout) {
  // A listener that never accepts, its backlog filled by our own connects:
  // further SYNs are dropped, so the connect hangs (not refused).
  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      ::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr),
      0);
  ASSERT_EQ(::listen(listener.get(), 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<Fd> fillers;
  for (int i = 0; i < 4; ++i) {
    Fd c(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    (void)::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(std::move(c));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  FetchOptions o = Options();
  o.fetch.allow_private = true;
  o.fetch.retries = 0;
  o.fetch.connect_timeout_s = 1;
  auto start = steady_clock::now();
  RecordingSink sink = Fetch(
      o, {"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"});
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kConnect)
      << sink.outcomes[0].error;
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(4));
}

// Issue #14: a reply that is not HTTP at all (garbage where the status
// line belongs) is bad-response, not bad-url: the URL was fine.
TEST_F(CurlFetcherTest, GarbageStatusLineIsBadResponse) {
  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(
      ::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr),
      0);
  ASSERT_EQ(::listen(listener.get(), 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread server([&listener] {
    Fd conn(::accept(listener.get(), nullptr, nullptr));
    char request[4096];
    (void)::recv(conn.get(), request, sizeof request, 0);
    const std::string reply = "garbage, not a status line\r\n\r\nbody";
    (void)::send(conn.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
  });
  FetchOptions o = Options();
  o.fetch.allow_private = true;
  o.fetch.retries = 0;
  RecordingSink sink = Fetch(
      o, {"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"});
  server.join();
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kBadResponse)
      << sink.outcomes[0].error;
}

TEST_F(CurlFetcherTest, NxdomainFromTheResolverSeamIsDns) {
  FetchOptions o = Options();
  int asked = 0;
  o.resolver =
      [&](const std::string& host) -> Result<std::vector<std::string>> {
    ++asked;
    return Status::NotFound(host + ": NXDOMAIN");
  };
  RecordingSink sink = Fetch(o, {"http://nothing.invalid/a"});
  EXPECT_TRUE(sink.exchanges.empty());
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kDns);
  EXPECT_EQ(asked, 1);
}

TEST_F(CurlFetcherTest, PrivateAddressIsBlocked) {
  FetchOptions o = Options();
  std::string addr = web_->env["FIXTURE_ADDR"];
  o.resolver = [addr](const std::string&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{addr};
  };
  RecordingSink sink = Fetch(o, {"http://intranet.example.net/admin"});
  EXPECT_TRUE(sink.exchanges.empty());
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kBlockedAddress);
  EXPECT_NE(sink.outcomes[0].error.find(addr), std::string::npos)
      << sink.outcomes[0].error;
}

TEST_F(CurlFetcherTest, ExplicitResolveAllowsTheLoopbackFixture) {
  FetchOptions o;
  const std::string port = web_->env["FIXTURE_HTTP_PORT"];
  o.resolve = {"scenarios.example.org:" + port + ":" +
               web_->env["FIXTURE_ADDR"]};
  o.fetch.delay_ms = 0;
  RecordingSink sink =
      Fetch(o, {"http://scenarios.example.org:" + port + "/status/200"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].status, 200);
}

// Issue #14 item 3: a --resolve for one port of a name does not lift the
// guard for another port of it; that hop is resolved like any other (here
// by the seam, so no DNS query) and checked on the connected address.
TEST_F(CurlFetcherTest, ResolveOfOnePortLeavesTheGuardOnForAnotherPort) {
  FetchOptions o;
  const std::string addr = web_->env["FIXTURE_ADDR"];
  const std::string port = web_->env["FIXTURE_HTTP_PORT"];
  const std::string other = web_->env["FIXTURE_HTTPS_PORT"];
  o.resolve = {"scenarios.example.org:" + port + ":" + addr};
  o.cacert = web_->env["FIXTURE_CACERT"];
  o.fetch.delay_ms = 0;
  o.fetch.retries = 0;
  std::vector<std::string> asked;
  o.resolver =
      [&](const std::string& host) -> Result<std::vector<std::string>> {
    asked.push_back(host);
    return std::vector<std::string>{addr};
  };
  const std::string target = "http://scenarios.example.org:" + other + "/x";
  RecordingSink sink = Fetch(
      o, {"http://scenarios.example.org:" + port + "/redirect/1?to=" + target});
  ASSERT_EQ(sink.exchanges.size(), 1u);  // the mapped first hop only
  EXPECT_EQ(sink.exchanges[0].status, 302);
  EXPECT_EQ(sink.exchanges[0].next_url, target);
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kBlockedAddress)
      << sink.outcomes[0].error;
  EXPECT_EQ(sink.outcomes[0].final_url, target);
  EXPECT_EQ(asked, std::vector<std::string>{"scenarios.example.org"});
}

// An empty-host --connect-to routes every host on that port, but names
// none: the guard stays on and refuses the loopback address it leads to.
TEST_F(CurlFetcherTest, EmptyHostConnectToDoesNotLiftTheGuard) {
  FetchOptions o;
  const std::string addr = web_->env["FIXTURE_ADDR"];
  o.connect_to = {":8081:" + addr + ":" + web_->env["FIXTURE_HTTP_PORT"]};
  o.fetch.delay_ms = 0;
  o.fetch.retries = 0;
  o.resolver = [&](const std::string&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{addr};
  };
  RecordingSink sink = Fetch(o, {"http://anywhere.invalid:8081/status/200"});
  EXPECT_TRUE(sink.exchanges.empty());
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kBlockedAddress)
      << sink.outcomes[0].error;
  // The same mapping with its host named is explicit: allowed.
  o.connect_to = {"anywhere.invalid:8081:" + addr + ":" +
                  web_->env["FIXTURE_HTTP_PORT"]};
  sink = Fetch(o, {"http://anywhere.invalid:8081/status/200"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].status, 200);
}

TEST_F(CurlFetcherTest, MalformedResolveEntryIsInvalidArgument) {
  FetchOptions o;
  o.resolve = {"no-port-here"};
  EXPECT_EQ(NewCurlFetcher(o).status().code(), ErrorCode::kInvalidArgument);
  FetchOptions c;
  c.cacert = "/nonexistent/ca.pem";
  Result<std::unique_ptr<Fetcher>> made = NewCurlFetcher(c);
  EXPECT_EQ(made.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(made.status().message().find("/nonexistent/ca.pem"),
            std::string::npos);
}

TEST_F(CurlFetcherTest, BadCertificateIsTls) {
  RecordingSink sink = Fetch(Options(), {"https://badcert.example.org/"});
  EXPECT_TRUE(sink.exchanges.empty());
  EXPECT_EQ(sink.outcomes[0].failure, FailureClass::kTls)
      << sink.outcomes[0].error;
}

TEST_F(CurlFetcherTest, HeadJobHasNoBody) {
  RecordingSink sink =
      Fetch(Options(), {std::string(kSite) + "/big/5000"}, "HEAD");
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].status, 200);
  EXPECT_EQ(sink.exchanges[0].payload_length, 0u);
  EXPECT_EQ(sink.exchanges[0].request_head.rfind("HEAD ", 0), 0u);
}

TEST_F(CurlFetcherTest, PerHostConcurrencyNeverExceedsTheLimit) {
  FetchOptions o = Options();
  o.fetch.per_host = 2;
  o.fetch.jobs = 8;
  std::vector<std::string> urls;
  for (int i = 0; i < 6; ++i) {
    urls.push_back(std::string(kSite) + "/slow/300?i=" + std::to_string(i));
  }
  urls.push_back("http://example.com/slow/300");
  RecordingSink sink = Fetch(o, urls);
  ASSERT_EQ(sink.exchanges.size(), urls.size());
  int most = 0;
  for (const Seen& a : sink.exchanges) {
    if (a.url.find("scenarios") == std::string::npos) continue;
    int overlapping = 0;
    for (const Seen& b : sink.exchanges) {
      if (b.url.find("scenarios") == std::string::npos) continue;
      if (b.started <= a.started && b.ended > a.started) ++overlapping;
    }
    most = std::max(most, overlapping);
  }
  EXPECT_LE(most, 2);
  EXPECT_EQ(most, 2);  // and the limit is used
}

TEST_F(CurlFetcherTest, DelaySpacesRequestStartsToOneHost) {
  FetchOptions o = Options();
  o.fetch.delay_ms = 200;
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/status/200?a",
                                 std::string(kSite) + "/status/200?b",
                                 std::string(kSite) + "/status/200?c"});
  ASSERT_EQ(sink.exchanges.size(), 3u);
  std::vector<std::chrono::system_clock::time_point> starts;
  for (const Seen& s : sink.exchanges) starts.push_back(s.started);
  std::sort(starts.begin(), starts.end());
  EXPECT_GE(starts[1] - starts[0], std::chrono::milliseconds(190));
  EXPECT_GE(starts[2] - starts[1], std::chrono::milliseconds(190));
}

TEST_F(CurlFetcherTest, CancelEndsEveryJobPromptly) {
  FetchOptions o = Options();
  Result<std::unique_ptr<Fetcher>> fetcher = NewCurlFetcher(o);
  ASSERT_TRUE(fetcher.ok());
  for (int i = 0; i < 5; ++i) {
    FetchJob job;
    job.url = std::string(kSite) + "/slow/3000?c=" + std::to_string(i);
    (*fetcher)->Add(job);
  }
  Fetcher* raw = fetcher->get();
  std::thread canceller([raw] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    raw->RequestCancel();
  });
  RecordingSink sink;
  auto start = steady_clock::now();
  EXPECT_TRUE((*fetcher)->Run(sink).ok());
  canceller.join();
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_EQ(sink.outcomes.size(), 5u);
  for (const FetchOutcome& out : sink.outcomes) {
    EXPECT_EQ(out.failure, FailureClass::kCancelled);
  }
}

// Issue #14: a URL over 8 KiB is never requested (no crash, no request):
// its job ends as bad-url at once.
TEST_F(CurlFetcherTest, UrlOverEightKibIsBadUrlWithoutARequest) {
  std::string url = std::string(kSite) + "/status/200?q=";
  url.resize(kMaxUrlBytes + 1, 'a');
  std::string at_limit = std::string(kSite) + "/status/200?q=";
  at_limit.resize(kMaxUrlBytes, 'a');
  RecordingSink sink = Fetch(Options(), {url, at_limit});
  ASSERT_EQ(sink.outcomes.size(), 2u);
  for (const FetchOutcome& out : sink.outcomes) {
    if (out.final_url.size() > kMaxUrlBytes) {
      EXPECT_EQ(out.failure, FailureClass::kBadUrl);
      EXPECT_NE(out.error.find("8192-byte limit"), std::string::npos);
      EXPECT_LT(out.error.size(), 300u);
    } else {
      EXPECT_EQ(out.failure, FailureClass::kNone) << out.error;
    }
  }
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].url, at_limit);
}

// A chain that reaches a URL taken down with `forget` stops before that
// hop's request: the job ends as kForgotten, its final URL the hop that
// pointed there, and a job for the forgotten URL itself sends nothing.
TEST_F(CurlFetcherTest, HopToAForgottenUrlIsNeverRequested) {
  FetchOptions options = Options();
  const std::string forgotten = "https://feeds.feedburner.com/~r/abc123";
  options.forgotten = [forgotten](const std::string& url) {
    return url == forgotten;
  };
  RecordingSink sink = Fetch(options, {"http://ift.tt/abc123", forgotten});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_EQ(sink.exchanges[0].url, "http://ift.tt/abc123");
  EXPECT_EQ(sink.exchanges[0].next_url, forgotten);
  ASSERT_EQ(sink.outcomes.size(), 2u);
  for (const FetchOutcome& out : sink.outcomes) {
    EXPECT_EQ(out.failure, FailureClass::kForgotten) << out.error;
    EXPECT_NE(out.error.find("rotguard forget"), std::string::npos)
        << out.error;
    if (out.job.url == forgotten) {
      EXPECT_EQ(out.attempts, 0);
    } else {
      EXPECT_EQ(out.final_url, "http://ift.tt/abc123");
      EXPECT_EQ(out.final_status, 301);
      EXPECT_EQ(out.error, "http://ift.tt/abc123: redirects to " + forgotten +
                               ", taken down with `rotguard forget`: not "
                               "fetched");
    }
  }
}

// Issue #20 item 5: [[fetch.host]] headers and cookies go to that host
// only, and the WARC request head gets "[redacted]" for their values.
TEST_F(CurlFetcherTest, HostCredentialsGoOnlyToTheirHostAndAreRedacted) {
  FetchOptions o = Options();
  HostCredentials members;
  members.host = "scenarios.example.org";
  members.headers = {{"Authorization", "Bearer s3cret-token"},
                     {"X-Client", "rotguard-test"}};
  members.cookies = "session=abc123";
  o.fetch.host_credentials = {members};
  const std::string elsewhere = "http://news.example.com/headers";
  RecordingSink sink =
      Fetch(o, {std::string(kSite) + "/redirect/1?to=" + elsewhere,
                std::string(kSite) + "/headers"});
  ASSERT_EQ(sink.exchanges.size(), 3u);
  std::map<std::string, const Seen*> by_url;
  for (const Seen& s : sink.exchanges) by_url[s.url] = &s;
  const Seen& own = *by_url.at(std::string(kSite) + "/headers");
  EXPECT_NE(own.body.find("Bearer s3cret-token"), std::string::npos);
  EXPECT_NE(own.body.find("session=abc123"), std::string::npos);
  EXPECT_NE(own.body.find("rotguard-test"), std::string::npos);
  EXPECT_NE(own.request_head.find("Authorization: [redacted]\r\n"),
            std::string::npos)
      << own.request_head;
  EXPECT_NE(own.request_head.find("Cookie: [redacted]\r\n"), std::string::npos);
  EXPECT_NE(own.request_head.find("X-Client: rotguard-test\r\n"),
            std::string::npos);
  EXPECT_EQ(own.request_head.find("s3cret"), std::string::npos);
  const Seen& other = *by_url.at(elsewhere);
  EXPECT_EQ(other.body.find("s3cret"), std::string::npos) << other.body;
  EXPECT_EQ(other.body.find("session="), std::string::npos) << other.body;
}

TEST_F(CurlFetcherTest, RecordCredentialsKeepsTheValuesInTheRequestHead) {
  FetchOptions o = Options();
  o.fetch.host_credentials = {{"*.example.org", {}, "session=keep-me"}};
  o.fetch.record_credentials = true;
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/headers"});
  ASSERT_EQ(sink.exchanges.size(), 1u);
  EXPECT_NE(sink.exchanges[0].request_head.find("Cookie: session=keep-me"),
            std::string::npos)
      << sink.exchanges[0].request_head;
}

// A proxy nobody listens on: the job fails as "proxy", once (not a
// transient failure of the link), and the message names the proxy
// without its password.
TEST_F(CurlFetcherTest, ProxyThatIsDownIsAProxyFailureWithoutItsPassword) {
  FetchOptions o = Options();
  o.fetch.proxy = "http://user:pa55word@127.0.0.1:1";
  RecordingSink sink = Fetch(o, {std::string(kSite) + "/status/200"});
  EXPECT_TRUE(sink.exchanges.empty());
  const FetchOutcome& out = sink.outcomes[0];
  EXPECT_EQ(out.failure, FailureClass::kProxy) << out.error;
  EXPECT_EQ(out.attempts, 1);
  EXPECT_NE(out.error.find("proxy http://127.0.0.1:1"), std::string::npos)
      << out.error;
  EXPECT_EQ(out.error.find("pa55word"), std::string::npos) << out.error;
}

// Behind a proxy the guard judges the target before any request: an IP
// literal and a name the resolver seam puts on a private address are
// refused (the dead proxy would make any attempt a "proxy" failure).
TEST_F(CurlFetcherTest, PrivateTargetBehindAProxyIsRefusedBeforeTheRequest) {
  FetchOptions o = Options();
  o.fetch.proxy = "socks5h://127.0.0.1:1";
  std::string addr = web_->env["FIXTURE_ADDR"];
  o.resolver = [addr](const std::string&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"93.184.216.34", addr};
  };
  RecordingSink sink =
      Fetch(o, {"http://10.1.2.3/admin", "http://intranet.example.net/"});
  for (const FetchOutcome& out : sink.outcomes) {
    EXPECT_EQ(out.failure, FailureClass::kBlockedAddress) << out.error;
  }
  EXPECT_TRUE(sink.exchanges.empty());
}

TEST_F(CurlFetcherTest, MalformedProxyIsInvalidArgument) {
  FetchOptions o = Options();
  o.fetch.proxy = "ftp://proxy.example:21";
  Result<std::unique_ptr<Fetcher>> fetcher = NewCurlFetcher(std::move(o));
  ASSERT_FALSE(fetcher.ok());
  EXPECT_EQ(fetcher.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CurlFetcherTest, JobsAddedFromTheSinkAreFetched) {
  struct AddingSink : RecordingSink {
    Fetcher* fetcher = nullptr;
    void OnDone(const FetchOutcome& outcome) override {
      RecordingSink::OnDone(outcome);
      if (outcome.job.tag == 0) {
        FetchJob job;
        job.url = std::string(kSite) + "/status/204";
        job.tag = 1;
        fetcher->Add(job);
      }
    }
  };
  Result<std::unique_ptr<Fetcher>> fetcher = NewCurlFetcher(Options());
  ASSERT_TRUE(fetcher.ok());
  AddingSink sink;
  sink.fetcher = fetcher->get();
  FetchJob job;
  job.url = std::string(kSite) + "/status/200";
  (*fetcher)->Add(job);
  ASSERT_TRUE((*fetcher)->Run(sink).ok());
  ASSERT_EQ(sink.outcomes.size(), 2u);
  EXPECT_EQ(sink.outcomes[1].final_status, 204);
}

}  // namespace
}  // namespace rotguard
