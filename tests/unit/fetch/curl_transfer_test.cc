// One libcurl transfer without a network: the header, body, debug and
// open-socket callbacks fed by hand, and what a finished transfer amounts
// to for each libcurl result.
#include "fetch/curl_transfer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "unit/test_support/compress.h"

namespace rotguard::fetch_internal {
namespace {

using rotguard::testing::Gzip;

class CurlTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    defaults_.base_headers = nullptr;
    defaults_.connect_to = nullptr;
    t_ = Transfer::New(&defaults_);
    ASSERT_NE(t_, nullptr);
  }
  void Header(const std::string& line) {
    std::string copy = line;
    EXPECT_EQ(Transfer::OnHeader(copy.data(), 1, copy.size(), t_.get()),
              copy.size());
  }
  size_t Body(const std::string& bytes) {
    std::string copy = bytes;
    return Transfer::OnBody(copy.data(), 1, copy.size(), t_.get());
  }
  std::string BodyText() const {
    std::string out;
    EXPECT_TRUE(t_->response
                    ->ForEachBodyChunk([&](std::string_view chunk) {
                      out.append(chunk);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  TransferDefaults defaults_;
  std::unique_ptr<Transfer> t_;
};

TEST_F(CurlTransferTest, OnlyTheFinalHeaderBlockIsKept) {
  Header("HTTP/1.1 100 Continue\r\n");
  Header("\r\n");
  EXPECT_FALSE(t_->head_done);
  Header("HTTP/1.1 302 Found\r\n");
  Header("Location:  /next \r\n");
  Header("Retry-After: 5\r\n");
  Header("content-type: text/html\r\n");
  Header("Content-Encoding: gzip\r\n");
  Header("Refresh: 0; url=/r\r\n");
  Header("\r\n");
  ASSERT_TRUE(t_->head_done);
  EXPECT_EQ(t_->status, 302);
  EXPECT_EQ(t_->location, "/next");
  EXPECT_EQ(t_->retry_after, "5");
  EXPECT_EQ(t_->content_type, "text/html");
  EXPECT_EQ(t_->content_encoding, "gzip");
  EXPECT_EQ(t_->refresh, "0; url=/r");
  EXPECT_EQ(t_->response->head(),
            "HTTP/1.1 302 Found\r\nLocation:  /next \r\nRetry-After: 5\r\n"
            "content-type: text/html\r\nContent-Encoding: gzip\r\n"
            "Refresh: 0; url=/r\r\n\r\n");
  Header("X-Trailer: after the body\r\n");  // trailers are not the head
  EXPECT_EQ(t_->response->head().find("X-Trailer"), std::string::npos);
}

TEST_F(CurlTransferTest, Http2StatusLineIsWrittenAsHttp11) {
  Header("HTTP/2 404 \r\n");
  Header("server: x\r\n");
  Header("\r\n");
  EXPECT_TRUE(t_->h2);
  EXPECT_EQ(t_->response->head(),
            "HTTP/1.1 404 Not Found\r\nserver: x\r\n\r\n");
}

TEST_F(CurlTransferTest, MaxSizeCutsTheBodyAndMarksItLength) {
  defaults_.fetch.max_size = 10;
  Header("HTTP/1.1 200 OK\r\n");
  Header("\r\n");
  EXPECT_EQ(Body("123456"), 6u);
  EXPECT_EQ(Body("789abc"), 0u);  // aborts the transfer
  EXPECT_TRUE(t_->too_large);
  EXPECT_EQ(BodyText(), "123456789a");
  EXPECT_EQ(t_->response->truncated(), "length");
  TransferResult r = t_->Finish(CURLE_WRITE_ERROR, "http://a.example/big");
  EXPECT_EQ(r.failure, FailureClass::kTooLarge);
  EXPECT_EQ(r.error, "http://a.example/big: body cut at --max-size");
  EXPECT_TRUE(r.have_response);
  EXPECT_EQ(t_->response->truncated(), "length");  // not "disconnect"
}

TEST_F(CurlTransferTest, ShortBodyIsATruncatedDisconnect) {
  Header("HTTP/1.1 200 OK\r\n");
  Header("Content-Length: 100\r\n");
  Header("\r\n");
  Body("abc");
  TransferResult r = t_->Finish(CURLE_PARTIAL_FILE, "http://a.example/");
  EXPECT_EQ(r.failure, FailureClass::kTruncated);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(t_->response->truncated(), "disconnect");
}

TEST_F(CurlTransferTest, SuccessHasNoErrorAndKeepsTheStatus) {
  Header("HTTP/1.1 204 No Content\r\n");
  Header("\r\n");
  TransferResult r = t_->Finish(CURLE_OK, "http://a.example/");
  EXPECT_EQ(r.failure, FailureClass::kNone);
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(r.have_response);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(t_->response->truncated(), "");
}

TEST_F(CurlTransferTest, TimeoutBeforeAnyResponseIsAConnectFailure) {
  TransferResult r = t_->Finish(CURLE_OPERATION_TIMEDOUT, "http://a.example/");
  EXPECT_EQ(r.failure, FailureClass::kConnect);
  EXPECT_FALSE(r.have_response);
  EXPECT_EQ(r.status, 0);
  Header("HTTP/1.1 200 OK\r\n");
  Header("\r\n");
  r = t_->Finish(CURLE_OPERATION_TIMEDOUT, "http://a.example/");
  EXPECT_EQ(r.failure, FailureClass::kTimeout);
}

TEST_F(CurlTransferTest, CurlResultsMapToFailureClasses) {
  EXPECT_EQ(t_->Finish(CURLE_COULDNT_RESOLVE_HOST, "u").failure,
            FailureClass::kDns);
  EXPECT_EQ(t_->Finish(CURLE_COULDNT_CONNECT, "u").failure,
            FailureClass::kConnect);
  EXPECT_EQ(t_->Finish(CURLE_PEER_FAILED_VERIFICATION, "u").failure,
            FailureClass::kTls);
  EXPECT_EQ(t_->Finish(CURLE_RECV_ERROR, "u").failure, FailureClass::kReset);
  EXPECT_EQ(t_->Finish(CURLE_UNSUPPORTED_PROTOCOL, "u").failure,
            FailureClass::kBadUrl);  // before connecting: the URL's scheme
  EXPECT_EQ(t_->Finish(CURLE_WEIRD_SERVER_REPLY, "u").failure,
            FailureClass::kBadResponse);
  EXPECT_EQ(t_->Finish(CURLE_ABORTED_BY_CALLBACK, "u").failure,
            FailureClass::kCancelled);
  EXPECT_EQ(t_->Finish(CURLE_OUT_OF_MEMORY, "u").failure, FailureClass::kOther);
}

// A curl_sockaddr with room for an IPv6 address behind it.
struct SockAddr {
  alignas(curl_sockaddr) unsigned char bytes[sizeof(curl_sockaddr) + 32] = {};
  curl_sockaddr* get() { return reinterpret_cast<curl_sockaddr*>(bytes); }
};

SockAddr V4(const char* ip) {
  SockAddr a;
  a.get()->family = AF_INET;
  a.get()->socktype = SOCK_STREAM;
  a.get()->protocol = 0;
  sockaddr_in in{};
  in.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &in.sin_addr);
  std::memcpy(&a.get()->addr, &in, sizeof in);
  a.get()->addrlen = sizeof in;
  return a;
}

SockAddr V6(const char* ip) {
  SockAddr a;
  a.get()->family = AF_INET6;
  a.get()->socktype = SOCK_STREAM;
  a.get()->protocol = 0;
  sockaddr_in6 in{};
  in.sin6_family = AF_INET6;
  inet_pton(AF_INET6, ip, &in.sin6_addr);
  std::memcpy(&a.get()->addr, &in, sizeof in);
  a.get()->addrlen = sizeof in;
  return a;
}

TEST_F(CurlTransferTest, GuardRefusesTheNonPublicAddressBeingConnected) {
  t_->guard = true;
  SockAddr loopback = V4("127.9.8.7");
  EXPECT_EQ(
      Transfer::OnOpenSocket(t_.get(), CURLSOCKTYPE_IPCXN, loopback.get()),
      CURL_SOCKET_BAD);
  EXPECT_TRUE(t_->blocked);
  EXPECT_EQ(t_->blocked_ip, "127.9.8.7");
  TransferResult r = t_->Finish(CURLE_COULDNT_CONNECT, "http://a.example/");
  EXPECT_EQ(r.failure, FailureClass::kBlockedAddress);
  EXPECT_NE(r.error.find("refused to connect to non-public address 127.9.8.7"),
            std::string::npos)
      << r.error;

  t_->Clear();
  SockAddr ula = V6("fd00::1");
  EXPECT_EQ(Transfer::OnOpenSocket(t_.get(), CURLSOCKTYPE_IPCXN, ula.get()),
            CURL_SOCKET_BAD);
  EXPECT_EQ(t_->blocked_ip, "fd00::1");
}

TEST_F(CurlTransferTest, GuardLetsPublicAddressesAndUnguardedTransfersOpen) {
  t_->guard = true;
  SockAddr pub = V4("93.184.216.34");
  curl_socket_t s =
      Transfer::OnOpenSocket(t_.get(), CURLSOCKTYPE_IPCXN, pub.get());
  EXPECT_NE(s, CURL_SOCKET_BAD);  // a socket, never connected here
  if (s != CURL_SOCKET_BAD) ::close(s);
  t_->guard = false;
  SockAddr loopback = V4("127.0.0.1");
  s = Transfer::OnOpenSocket(t_.get(), CURLSOCKTYPE_IPCXN, loopback.get());
  EXPECT_NE(s, CURL_SOCKET_BAD);
  if (s != CURL_SOCKET_BAD) ::close(s);
  EXPECT_FALSE(t_->blocked);
}

TEST_F(CurlTransferTest, RequestHeadComesFromTheDebugCallbackAResendReplaces) {
  auto out = [&](const std::string& text) {
    std::string copy = text;
    Transfer::OnDebug(nullptr, CURLINFO_HEADER_OUT, copy.data(), copy.size(),
                      t_.get());
  };
  out("GET /a HTTP/1.1\r\nHost: a.example\r\n");
  out("\r\n");
  EXPECT_EQ(t_->request_head, "GET /a HTTP/1.1\r\nHost: a.example\r\n\r\n");
  out("GET /b HTTP/1.1\r\nHost: a.example\r\n\r\n");
  EXPECT_EQ(t_->request_head, "GET /b HTTP/1.1\r\nHost: a.example\r\n\r\n");
  std::string text = "ignored";
  Transfer::OnDebug(nullptr, CURLINFO_TEXT, text.data(), text.size(), t_.get());
  EXPECT_EQ(t_->request_head, "GET /b HTTP/1.1\r\nHost: a.example\r\n\r\n");
}

TEST_F(CurlTransferTest, MetaRefreshIsFoundInHtmlPlainOrGzipped) {
  const std::string page =
      "<html><head><meta http-equiv=\"refresh\" content=\"0; "
      "url=/landing\"></head></html>";
  Header("HTTP/1.1 200 OK\r\n");
  Header("Content-Type: text/html\r\n");
  Header("\r\n");
  Body(page);
  EXPECT_EQ(t_->MetaRefreshTarget("http://a.example/p"),
            "http://a.example/landing");

  t_->Clear();
  Header("HTTP/1.1 200 OK\r\n");
  Header("Content-Encoding: gzip\r\n");
  Header("\r\n");
  Body(Gzip(page));
  EXPECT_EQ(t_->MetaRefreshTarget("http://a.example/p"),
            "http://a.example/landing");

  t_->Clear();
  Header("HTTP/1.1 200 OK\r\n");
  Header("Content-Type: text/plain\r\n");
  Header("\r\n");
  Body(page);
  EXPECT_EQ(t_->MetaRefreshTarget("http://a.example/p"), std::nullopt);
}

TEST_F(CurlTransferTest, ClearForgetsTheLastExchange) {
  Header("HTTP/1.1 301 Moved\r\n");
  Header("Location: /x\r\n");
  Header("\r\n");
  t_->guard = false;
  t_->job = 7;
  t_->Clear();
  EXPECT_EQ(t_->job, 0u);
  EXPECT_FALSE(t_->head_done);
  EXPECT_EQ(t_->status, 0);
  EXPECT_EQ(t_->location, "");
  EXPECT_EQ(t_->response, nullptr);
  EXPECT_TRUE(t_->guard);
}

}  // namespace
}  // namespace rotguard::fetch_internal
