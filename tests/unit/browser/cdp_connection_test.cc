// CdpConnection against a fake browser on the other end of two pipes: the
// test writes what Chromium would send and reads what rotguard sent. Waits
// that must succeed find their bytes already written; waits that must time
// out get a deadline that has already passed, so nothing here sleeps.
#include "browser/cdp_connection.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace rotguard {
namespace {

using Clock = CdpConnection::Clock;
using nlohmann::json;

Clock::time_point Soon() { return Clock::now() + std::chrono::seconds(10); }
Clock::time_point Passed() {
  return Clock::now() - std::chrono::milliseconds(1);
}

class FakeBrowser {
 public:
  explicit FakeBrowser(
      std::size_t max_message = CdpConnection::kDefaultMaxMessage) {
    int to[2], from[2];
    EXPECT_EQ(::pipe2(to, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(from, O_CLOEXEC), 0);
    reads_.reset(to[0]);
    writes_.reset(from[1]);
    connection_ =
        std::make_unique<CdpConnection>(Fd(to[1]), Fd(from[0]), max_message);
  }
  CdpConnection& cdp() { return *connection_; }

  void Write(const std::string& bytes) {
    ASSERT_EQ(::write(writes_.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  void Message(const json& message) { Write(message.dump() + '\0'); }
  void CloseWrites() { writes_.reset(); }
  void CloseReads() { reads_.reset(); }

  // Everything rotguard has written so far.
  std::string Sent() {
    std::string all;
    char buffer[4096];
    int flags = ::fcntl(reads_.get(), F_GETFL);
    ::fcntl(reads_.get(), F_SETFL, flags | O_NONBLOCK);
    for (ssize_t n; (n = ::read(reads_.get(), buffer, sizeof buffer)) > 0;) {
      all.append(buffer, static_cast<std::size_t>(n));
    }
    return all;
  }

 private:
  Fd reads_;
  Fd writes_;
  std::unique_ptr<CdpConnection> connection_;
};

TEST(CdpConnection, SentCommandsAreNulTerminatedJsonWithIdAndSession) {
  FakeBrowser peer;
  Result<std::int64_t> first =
      peer.cdp().Send("Browser.getVersion", json::object(), "", Soon());
  Result<std::int64_t> second = peer.cdp().Send(
      "Page.navigate", {{"url", "http://a.test/"}}, "S1", Soon());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  std::string sent = peer.Sent();
  ASSERT_EQ(sent.back(), '\0');
  std::size_t split = sent.find('\0');
  json a = json::parse(sent.substr(0, split));
  json b = json::parse(sent.substr(split + 1, sent.size() - split - 2));
  EXPECT_EQ(a["method"], "Browser.getVersion");
  EXPECT_FALSE(a.contains("sessionId"));
  EXPECT_EQ(b["id"], *second);
  EXPECT_EQ(b["sessionId"], "S1");
  EXPECT_EQ(b["params"]["url"], "http://a.test/");
}

TEST(CdpConnection, RepliesArrivingOutOfOrderReachTheirOwnCommands) {
  FakeBrowser peer;
  std::int64_t a = *peer.cdp().Send("A.one", json::object(), "", Soon());
  std::int64_t b = *peer.cdp().Send("B.two", json::object(), "", Soon());
  peer.Message({{"id", b}, {"result", {{"who", "b"}}}});
  peer.Message({{"id", a}, {"result", {{"who", "a"}}}});
  Result<json> reply_a = peer.cdp().AwaitReply(a, "A.one", Soon());
  ASSERT_TRUE(reply_a.ok()) << reply_a.status().ToString();
  EXPECT_EQ((*reply_a)["who"], "a");
  // b's reply was read while waiting for a, and kept.
  Result<json> reply_b = peer.cdp().AwaitReply(b, "B.two", Passed());
  ASSERT_TRUE(reply_b.ok()) << reply_b.status().ToString();
  EXPECT_EQ((*reply_b)["who"], "b");
}

TEST(CdpConnection, EventsInterleavedWithRepliesAreQueuedInArrivalOrder) {
  FakeBrowser peer;
  std::int64_t id =
      *peer.cdp().Send("Page.enable", json::object(), "S1", Soon());
  peer.Message({{"method", "Target.targetCreated"}, {"params", {{"n", 1}}}});
  peer.Message({{"id", id}, {"result", json::object()}, {"sessionId", "S1"}});
  peer.Message({{"method", "Page.lifecycleEvent"},
                {"params", {{"name", "load"}}},
                {"sessionId", "S1"}});
  ASSERT_TRUE(peer.cdp().AwaitReply(id, "Page.enable", Soon()).ok());
  Result<std::optional<CdpEvent>> first = peer.cdp().NextEvent(Soon());
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->method, "Target.targetCreated");
  EXPECT_EQ((*first)->session_id, "");
  Result<std::optional<CdpEvent>> second = peer.cdp().NextEvent(Soon());
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->method, "Page.lifecycleEvent");
  EXPECT_EQ((*second)->session_id, "S1");
  EXPECT_EQ((*second)->params["name"], "load");
  Result<std::optional<CdpEvent>> none = peer.cdp().NextEvent(Passed());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(CdpConnection, MessagesSplitAcrossManyReadsAreReassembled) {
  FakeBrowser peer;
  std::int64_t id =
      *peer.cdp().Send("DOM.getOuterHTML", json::object(), "", Soon());
  // 300 KB is more than a pipe holds and more than one read takes, so the
  // reply arrives in pieces while the writer is still writing.
  std::string html(300 * 1024, 'x');
  std::string bytes =
      json({{"id", id}, {"result", {{"outerHTML", html}}}}).dump() + '\0';
  std::thread writer([&] { peer.Write(bytes); });
  Result<json> reply = peer.cdp().AwaitReply(id, "DOM.getOuterHTML", Soon());
  writer.join();
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ((*reply)["outerHTML"].get<std::string>().size(), html.size());
}

TEST(CdpConnection, AMessageOverTheCapWithoutTerminatorBreaksTheConnection) {
  FakeBrowser peer(1024);
  std::int64_t id =
      *peer.cdp().Send("Page.captureScreenshot", json::object(), "", Soon());
  peer.Write("{\"id\":1,\"result\":{\"data\":\"" + std::string(2000, 'A'));
  Result<json> reply =
      peer.cdp().AwaitReply(id, "Page.captureScreenshot", Soon());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(reply.status().message().find("Page.captureScreenshot"),
            std::string::npos);
  EXPECT_NE(reply.status().message().find("cap"), std::string::npos);
  EXPECT_FALSE(peer.cdp().healthy());
  EXPECT_FALSE(peer.cdp().Send("Page.enable", json::object(), "", Soon()).ok());
}

TEST(CdpConnection, EndOfFileIsAnErrorNamingTheAwaitedMethod) {
  FakeBrowser peer;
  std::int64_t id =
      *peer.cdp().Send("Page.navigate", json::object(), "S", Soon());
  peer.Write("{\"id\":");  // the browser died mid-message
  peer.CloseWrites();
  Result<json> reply = peer.cdp().AwaitReply(id, "Page.navigate", Soon());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kIOError);
  EXPECT_NE(reply.status().message().find("Page.navigate"), std::string::npos);
  EXPECT_FALSE(peer.cdp().healthy());
}

TEST(CdpConnection, ATimeoutNamesTheMethodAndItsLateReplyIsDropped) {
  FakeBrowser peer;
  std::int64_t slow =
      *peer.cdp().Send("Runtime.evaluate", json::object(), "S", Soon());
  Result<json> reply =
      peer.cdp().AwaitReply(slow, "Runtime.evaluate", Passed());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(reply.status().message().find("Runtime.evaluate"),
            std::string::npos);
  EXPECT_TRUE(peer.cdp().healthy());
  // The late reply arrives; the connection goes on with the next command.
  std::int64_t next =
      *peer.cdp().Send("Page.enable", json::object(), "S", Soon());
  peer.Message({{"id", slow}, {"result", {{"late", true}}}});
  peer.Message({{"id", next}, {"result", {{"late", false}}}});
  Result<json> next_reply = peer.cdp().AwaitReply(next, "Page.enable", Soon());
  ASSERT_TRUE(next_reply.ok()) << next_reply.status().ToString();
  EXPECT_EQ((*next_reply)["late"], false);
  Result<json> gone = peer.cdp().AwaitReply(slow, "Runtime.evaluate", Passed());
  EXPECT_FALSE(gone.ok());
}

TEST(CdpConnection, MalformedJsonIsAnErrorNamingTheMethodButFramingSurvives) {
  FakeBrowser peer;
  std::int64_t id =
      *peer.cdp().Send("DOM.getDocument", json::object(), "S", Soon());
  peer.Write(std::string("{not json", 9) + '\0');
  Result<json> reply = peer.cdp().AwaitReply(id, "DOM.getDocument", Soon());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(reply.status().message().find("DOM.getDocument"),
            std::string::npos);
  EXPECT_TRUE(peer.cdp().healthy());
  std::int64_t again =
      *peer.cdp().Send("DOM.getDocument", json::object(), "S", Soon());
  peer.Message({{"id", again}, {"result", {{"root", {{"nodeId", 1}}}}}});
  EXPECT_TRUE(peer.cdp().AwaitReply(again, "DOM.getDocument", Soon()).ok());
}

TEST(CdpConnection, AnErrorReplyBecomesAStatusWithItsMessage) {
  FakeBrowser peer;
  std::int64_t id =
      *peer.cdp().Send("Target.closeTarget", json::object(), "", Soon());
  peer.Message(
      {{"id", id},
       {"error", {{"code", -32000}, {"message", "No target with given id"}}}});
  Result<json> reply = peer.cdp().AwaitReply(id, "Target.closeTarget", Soon());
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(),
            "Target.closeTarget failed: No target with given id");
  EXPECT_TRUE(peer.cdp().healthy());
}

TEST(CdpConnection, WritingToABrowserThatClosedItsPipeFailsWithoutSigpipe) {
  FakeBrowser peer;
  peer.CloseReads();
  Result<std::int64_t> sent =
      peer.cdp().Send("Page.enable", json::object(), "", Soon());
  ASSERT_FALSE(sent.ok());  // and the test process is still alive
  EXPECT_NE(sent.status().message().find("Page.enable"), std::string::npos);
  EXPECT_FALSE(peer.cdp().healthy());
}

}  // namespace
}  // namespace rotguard
