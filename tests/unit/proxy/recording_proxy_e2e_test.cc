// The recording proxy end to end: curl through it (plain and CONNECT+TLS
// with the ephemeral CA) to the loopback fixture web, with rotguard's own
// Fetcher (keep_running) behind it writing WARC records. The browser gets
// the server's bytes exactly, the WARC holds them with good digests, and
// refused targets get a 403 without a lookup and without a record.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rotguard/fetch.h"
#include "rotguard/recording_proxy.h"
#include "rotguard/warc_reader.h"
#include "rotguard/warc_writer.h"
#include "unit/temp_dir.h"
#include "unit/test_support/fixture_web.h"

namespace rotguard {
namespace {

// Writes every exchange as a WARC request/response pair, on the fetch
// thread (as the archive's writer pool would, later).
class WarcRecordSink : public FetchSink {
 public:
  explicit WarcRecordSink(WarcWriter& writer) : writer_(writer) {}
  void OnExchange(const FetchJob&, FetchedExchange& ex) override {
    auto* response = dynamic_cast<WarcHttpResponse*>(ex.response.get());
    ASSERT_NE(response, nullptr);
    WarcCapture capture;
    capture.target_uri = ex.url;
    capture.date = ex.started;
    EXPECT_TRUE(
        writer_.WriteExchange(capture, ex.request_head, *response).ok());
  }
  void OnDone(const FetchOutcome&) override {}

 private:
  WarcWriter& writer_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RecordingProxyEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { web_ = new testing::FixtureWeb(); }
  static void TearDownTestSuite() {
    delete web_;
    web_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(web_->ok) << "tools/fixture-web did not start";
    WarcWriterOptions wo;
    wo.directory = dir_.path();
    Result<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(wo);
    ASSERT_TRUE(writer.ok());
    writer_ = std::move(*writer);
    record_ = std::make_unique<WarcRecordSink>(*writer_);

    FetchOptions fo;
    fo.connect_to = web_->connect_to;
    fo.cacert = web_->env["FIXTURE_CACERT"];
    fo.fetch.delay_ms = 0;
    fo.fetch.retries = 0;
    fo.fetch.total_timeout_s = 20;
    fo.fetch.user_agent = "rotguard-proxy-test/1";
    fo.keep_running = true;
    fo.new_body = WarcHttpResponseFactory({});
    // Every name lookup the fetcher would make; "rebind.example" plays a
    // name whose DNS answer is a private address.
    fo.resolver =
        [this](const std::string& host) -> Result<std::vector<std::string>> {
      std::lock_guard<std::mutex> lock(mu_);
      lookups_.push_back(host);
      if (host == "rebind.example") return std::vector<std::string>{"10.1.2.3"};
      return Status::NotFound(host);
    };
    Result<std::unique_ptr<Fetcher>> fetcher = NewCurlFetcher(std::move(fo));
    ASSERT_TRUE(fetcher.ok()) << fetcher.status().ToString();
    fetcher_ = std::move(*fetcher);
    upstream_ =
        std::make_unique<FetcherUpstream>(*fetcher_, record_.get(), 30'000);
    fetch_thread_ = std::thread([this] { run_ = fetcher_->Run(*upstream_); });

    Result<std::unique_ptr<EphemeralCa>> ca = EphemeralCa::Create();
    ASSERT_TRUE(ca.ok());
    ca_ = std::move(*ca);
    ASSERT_TRUE(ca_->WriteCertPem(dir_ / "proxy-ca.pem").ok());
    RecordingProxyOptions po;
    po.connect_to = web_->connect_to;
    po.in_scope = [](const std::string& host, int) {
      return host == "rebind.example";
    };
    po.on_blocked = [this](const BlockedRequest& b) {
      std::lock_guard<std::mutex> lock(mu_);
      blocked_.push_back(b.url);
    };
    Result<std::unique_ptr<RecordingProxy>> proxy =
        RecordingProxy::Start(po, *ca_, *upstream_);
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(*proxy);
  }

  void TearDown() override { Finish(); }

  // Stops the proxy, lets the fetcher's Run() end, closes the WARC.
  void Finish() {
    if (proxy_) proxy_->Stop();
    if (fetcher_) fetcher_->EndKeepRunning();
    if (fetch_thread_.joinable()) fetch_thread_.join();
    EXPECT_TRUE(run_.ok()) << run_.ToString();
    if (writer_) {
      EXPECT_TRUE(writer_->Close().ok());
    }
    writer_.reset();
  }

  // curl through the proxy; the HTTP status (the CONNECT reply's when the
  // tunnel was refused), the body in `out`.
  std::string Curl(const std::string& url, const std::string& out,
                   const std::string& extra = "") {
    const std::string cmd = "curl -sS --noproxy '' --proxy " + proxy_->url() +
                            " --cacert " + dir_ / "proxy-ca.pem" + " -o " +
                            out + " -w '%{http_code} %{http_connect}' " +
                            extra + " '" + url + "' 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    char line[64] = {};
    if (!p) return "";
    if (!std::fgets(line, sizeof line, p)) line[0] = '\0';
    ::pclose(p);
    const std::string codes(line);  // "200 000", "000 403"
    const std::string code = codes.substr(0, 3);
    return code == "000" && codes.size() >= 7 ? codes.substr(4, 3) : code;
  }

  // Response records in the WARC: target URI → payload.
  std::map<std::string, std::string> Responses() {
    std::map<std::string, std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().string().find(".warc") == std::string::npos) continue;
      Result<std::unique_ptr<WarcReader>> reader =
          WarcReader::Open(entry.path());
      EXPECT_TRUE(reader.ok());
      while (reader.ok() && *(*reader)->Next()) {
        const WarcRecordInfo& r = (*reader)->record();
        if (r.type == "request") requests_.push_back(r.http_request_line);
        if (r.type != "response") continue;
        std::string payload;
        char buf[65536];
        Result<size_t> n = 0;
        while ((n = (*reader)->ReadPayload(buf, sizeof buf)).ok() && *n > 0) {
          payload.append(buf, *n);
        }
        EXPECT_TRUE((*reader)->FinishRecord().ok());
        EXPECT_TRUE((*reader)->record().problems.empty())
            << r.target_uri << ": " << (*reader)->record().problems[0].message;
        found[r.target_uri] = payload;
      }
    }
    return found;
  }

  static testing::FixtureWeb* web_;
  testing::TempDir dir_;
  std::unique_ptr<WarcWriter> writer_;
  std::unique_ptr<WarcRecordSink> record_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<FetcherUpstream> upstream_;
  std::thread fetch_thread_;
  Status run_;
  std::unique_ptr<EphemeralCa> ca_;
  std::unique_ptr<RecordingProxy> proxy_;
  std::mutex mu_;
  std::vector<std::string> lookups_;
  std::vector<std::string> blocked_;
  std::vector<std::string> requests_;
};

testing::FixtureWeb* RecordingProxyEndToEndTest::web_ = nullptr;

TEST_F(RecordingProxyEndToEndTest, BodiesArriveByteExactAndTheWarcHoldsThem) {
  const std::map<std::string, std::string> urls = {
      {"http://scenarios.example.org/big/100000", dir_ / "big"},
      {"https://scenarios.example.org/chunked/5000", dir_ / "chunked"},
      {"https://news.example.com/gzip/article.html", dir_ / "gzip"},
  };
  for (const auto& [url, out] : urls) EXPECT_EQ(Curl(url, out), "200") << url;
  Finish();
  std::map<std::string, std::string> recorded = Responses();
  ASSERT_EQ(recorded.size(), urls.size());
  for (const auto& [url, out] : urls) {
    const std::string got = ReadFile(out);
    EXPECT_EQ(got, recorded[url]) << url;  // the server's bytes, both ways
    EXPECT_FALSE(got.empty()) << url;
  }
  EXPECT_EQ(ReadFile(dir_ / "big").size(), 100000u);
  EXPECT_EQ(ReadFile(dir_ / "chunked").size(), 5000u);
  EXPECT_EQ(ReadFile(dir_ / "gzip").substr(0, 2), "\x1f\x8b");  // as sent
  EXPECT_NE(std::find(requests_.begin(), requests_.end(),
                      "GET /chunked/5000 HTTP/1.1"),
            requests_.end());
  EXPECT_TRUE(lookups_.empty());  // mapped hosts are never looked up
}

TEST_F(RecordingProxyEndToEndTest, ForwardsTheBrowsersRelevantHeadersOnly) {
  EXPECT_EQ(Curl("https://scenarios.example.org/headers", dir_ / "h",
                 "-A HeadlessChrome/156 -H 'Referer: https://blog.example.com/"
                 "p' -H 'If-None-Match: \"x\"' -H 'Accept-Language: de'"),
            "200");
  const std::string json = ReadFile(dir_ / "h");
  EXPECT_NE(json.find("\"Referer\": \"https://blog.example.com/p\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"Accept-Language\": \"de\""), std::string::npos);
  EXPECT_NE(json.find("rotguard-proxy-test/1"), std::string::npos);
  EXPECT_EQ(json.find("HeadlessChrome"), std::string::npos);
  EXPECT_EQ(json.find("If-None-Match"), std::string::npos);
}

TEST_F(RecordingProxyEndToEndTest, RefusedTargetsGet403AndNoRecord) {
  EXPECT_EQ(Curl("http://127.0.0.1:9/x", dir_ / "a"), "403");
  EXPECT_EQ(Curl("http://169.254.169.254/latest/meta-data/", dir_ / "b"),
            "403");
  EXPECT_EQ(Curl("https://169.254.169.254/", dir_ / "c"), "403");
  EXPECT_EQ(Curl("http://rebind.example/", dir_ / "d"), "403");
  EXPECT_EQ(Curl("https://clients2.google.com/service/update2", dir_ / "e"),
            "403");
  EXPECT_EQ(Curl("http://update.googleapis.com/x", dir_ / "f"), "403");
  Finish();
  EXPECT_EQ(
      blocked_,
      (std::vector<std::string>{
          "http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/",
          "https://169.254.169.254/", "http://rebind.example/"}));
  // Only the in-scope name was looked up (by the fetcher's seam); the
  // background hosts never were.
  EXPECT_EQ(lookups_, std::vector<std::string>{"rebind.example"});
  EXPECT_TRUE(Responses().empty());
}

}  // namespace
}  // namespace rotguard
