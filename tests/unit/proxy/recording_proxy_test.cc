// The recording proxy against a fake upstream (the UpstreamFetch seam):
// what it passes on, what it answers, what it refuses and reports.
#include "rotguard/recording_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/handles.h"

namespace rotguard {
namespace {

class FakeUpstream : public UpstreamFetch {
 public:
  UpstreamResponse Fetch(const UpstreamRequest& request) override {
    std::unique_lock<std::mutex> lock(mu);
    seen.push_back(request);
    if (block_until_abort) {
      cv.wait(lock, [this] { return aborted; });
      UpstreamResponse r;
      r.failure = FailureClass::kCancelled;
      return r;
    }
    return reply;
  }
  void Abort() override {
    std::lock_guard<std::mutex> lock(mu);
    aborted = true;
    cv.notify_all();
  }
  size_t calls() {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size();
  }

  std::mutex mu;
  std::condition_variable cv;
  bool aborted = false;
  bool block_until_abort = false;
  std::vector<UpstreamRequest> seen;
  UpstreamResponse reply;
};

class RecordingProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<EphemeralCa>> ca = EphemeralCa::Create();
    ASSERT_TRUE(ca.ok());
    ca_ = std::move(*ca);
    upstream_.reply.head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        "Transfer-Encoding: chunked\r\nConnection: keep-alive, X-Secret\r\n"
        "X-Secret: 1\r\nSet-Cookie: a=b\r\nContent-Encoding: gzip\r\n\r\n";
    upstream_.reply.body = "hello world";
    options_.in_scope = [](const std::string& host, int) {
      return host.size() > 8 && host.substr(host.size() - 8) == ".example";
    };
    options_.on_blocked = [this](const BlockedRequest& b) {
      std::lock_guard<std::mutex> lock(blocked_mu_);
      blocked_.push_back(b.url);
    };
    options_.idle_timeout_ms = 5000;
  }

  void StartProxy() {
    Result<std::unique_ptr<RecordingProxy>> proxy =
        RecordingProxy::Start(options_, *ca_, upstream_);
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(*proxy);
  }

  Fd Connect() {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(proxy_->port()));
    EXPECT_EQ(
        ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr),
        0);
    return fd;
  }

  // Sends `requests`, half-closes, and reads everything until the proxy
  // closes.
  std::string Exchange(const std::string& requests) {
    Fd fd = Connect();
    EXPECT_EQ(::send(fd.get(), requests.data(), requests.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(requests.size()));
    ::shutdown(fd.get(), SHUT_WR);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd.get(), buf, sizeof buf, 0)) > 0) {
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  std::vector<std::string> Blocked() {
    std::lock_guard<std::mutex> lock(blocked_mu_);
    return blocked_;
  }

  std::unique_ptr<EphemeralCa> ca_;
  FakeUpstream upstream_;
  RecordingProxyOptions options_;
  std::unique_ptr<RecordingProxy> proxy_;
  std::mutex blocked_mu_;
  std::vector<std::string> blocked_;
};

TEST_F(RecordingProxyTest, RequestGoesUpstreamWithMethodHeadersAndBody) {
  StartProxy();
  std::string reply = Exchange(
      "POST http://shop.example/cart?x=1 HTTP/1.1\r\nHost: shop.example\r\n"
      "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_EQ(upstream_.calls(), 1u);
  const UpstreamRequest& r = upstream_.seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://shop.example/cart?x=1");
  EXPECT_EQ(r.body, "abcde");
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[1].first, "Content-Type");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
}

TEST_F(RecordingProxyTest, AnswerDropsHopByHopFieldsAndIsFramedByLength) {
  StartProxy();
  std::string reply = Exchange(
      "GET http://shop.example/ HTTP/1.1\r\nHost: shop.example\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_EQ(reply,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            "Set-Cookie: a=b\r\nContent-Encoding: gzip\r\n"
            "Content-Length: 11\r\nConnection: close\r\n\r\nhello world");
}

TEST_F(RecordingProxyTest, PipelinedKeepAliveRequestsAreAnsweredInOrder) {
  StartProxy();
  std::string reply = Exchange(
      "GET http://a.example/1 HTTP/1.1\r\n\r\n"
      "HEAD http://a.example/2 HTTP/1.1\r\n\r\n"
      "GET http://a.example/3 HTTP/1.1\r\n\r\n");
  ASSERT_EQ(upstream_.calls(), 3u);
  EXPECT_EQ(upstream_.seen[1].method, "HEAD");
  EXPECT_EQ(upstream_.seen[2].url, "http://a.example/3");
  size_t bodies = 0;
  for (size_t at = 0; (at = reply.find("hello world", at)) != std::string::npos;
       ++at) {
    ++bodies;
  }
  EXPECT_EQ(bodies, 2u) << reply;  // none for the HEAD
}

TEST_F(RecordingProxyTest, BackgroundHostsGet403WithoutReachingTheUpstream) {
  StartProxy();
  std::string plain =
      Exchange("GET http://clients2.google.com/service HTTP/1.1\r\n\r\n");
  std::string tunnel =
      Exchange("CONNECT update.googleapis.com:443 HTTP/1.1\r\n\r\n");
  EXPECT_EQ(plain.rfind("HTTP/1.1 403 ", 0), 0u) << plain;
  EXPECT_EQ(tunnel.rfind("HTTP/1.1 403 ", 0), 0u) << tunnel;
  EXPECT_EQ(upstream_.calls(), 0u);
  EXPECT_TRUE(Blocked().empty());  // background refusals are not reported
  EXPECT_EQ(proxy_->stats().refused_scope, 2u);
}

TEST_F(RecordingProxyTest, NonPublicAddressesAreRefusedAndReportedBlocked) {
  StartProxy();
  std::string a = Exchange("GET http://127.0.0.1:8080/admin HTTP/1.1\r\n\r\n");
  std::string b =
      Exchange("GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n\r\n");
  std::string c = Exchange("CONNECT [::1]:443 HTTP/1.1\r\n\r\n");
  for (const std::string& reply : {a, b, c}) {
    EXPECT_EQ(reply.rfind("HTTP/1.1 403 ", 0), 0u) << reply;
  }
  EXPECT_EQ(upstream_.calls(), 0u);
  EXPECT_EQ(Blocked(),
            (std::vector<std::string>{
                "http://127.0.0.1:8080/admin",
                "http://169.254.169.254/latest/meta-data/", "https://[::1]/"}));
}

TEST_F(RecordingProxyTest, UpstreamAddressRefusalIsA403AndReportedBlocked) {
  upstream_.reply = {};
  upstream_.reply.failure = FailureClass::kBlockedAddress;
  upstream_.reply.error = "refused to connect to non-public address 10.0.0.1";
  StartProxy();
  std::string reply = Exchange("GET http://rebind.example/ HTTP/1.1\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 403 ", 0), 0u) << reply;
  EXPECT_EQ(Blocked(), std::vector<std::string>{"http://rebind.example/"});
}

TEST_F(RecordingProxyTest, MalformedRequestGets400AndTheConnectionCloses) {
  StartProxy();
  std::string reply = Exchange(
      "GET http://a.example/ HTTP/1.1\r\nBad Header: x\r\n\r\n"
      "GET http://a.example/again HTTP/1.1\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
  EXPECT_EQ(reply.find("hello world"), std::string::npos);
  EXPECT_EQ(upstream_.calls(), 0u);
}

TEST_F(RecordingProxyTest, OriginFormOutsideATunnelIsRefused) {
  StartProxy();
  std::string reply = Exchange("GET /p HTTP/1.1\r\nHost: a.example\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
}

TEST_F(RecordingProxyTest, ByteBudgetRefusesOnceSpentUntilReset) {
  options_.max_total_bytes = 5;
  StartProxy();
  EXPECT_NE(
      Exchange("GET http://a.example/1 HTTP/1.1\r\n\r\n").find("hello world"),
      std::string::npos);
  EXPECT_EQ(Exchange("GET http://a.example/2 HTTP/1.1\r\n\r\n")
                .rfind("HTTP/1.1 403 ", 0),
            0u);
  proxy_->ResetByteBudget();
  EXPECT_NE(
      Exchange("GET http://a.example/3 HTTP/1.1\r\n\r\n").find("hello world"),
      std::string::npos);
}

TEST_F(RecordingProxyTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  options_.idle_timeout_ms = 50;
  StartProxy();
  Fd idle = Connect();
  char byte;
  EXPECT_EQ(::recv(idle.get(), &byte, 1, 0), 0);  // closed, nothing said
}

TEST_F(RecordingProxyTest, HeadNotCompleteWithinTheTimeoutGets408) {
  options_.idle_timeout_ms = 50;
  StartProxy();
  Fd slow = Connect();
  const std::string part = "GET http://a.example/ HTTP/1.1\r\nAccept: x";
  ::send(slow.get(), part.data(), part.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[512];
  ssize_t n;
  while ((n = ::recv(slow.get(), buf, sizeof buf, 0)) > 0) {
    reply.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(reply.rfind("HTTP/1.1 408 ", 0), 0u) << reply;
  EXPECT_EQ(upstream_.calls(), 0u);
}

TEST_F(RecordingProxyTest, StopEndsIdleAndWaitingConnectionsAndJoins) {
  upstream_.block_until_abort = true;
  StartProxy();
  Fd idle = Connect();  // sends nothing
  Fd waiting = Connect();
  const std::string request = "GET http://a.example/slow HTTP/1.1\r\n\r\n";
  ::send(waiting.get(), request.data(), request.size(), MSG_NOSIGNAL);
  while (upstream_.calls() == 0) std::this_thread::yield();
  proxy_->Stop();  // returns only once every thread is joined
  char byte;
  EXPECT_LE(::recv(idle.get(), &byte, 1, 0), 0);
  EXPECT_GE(proxy_->stats().connections, 1u);
}

}  // namespace
}  // namespace rotguard
