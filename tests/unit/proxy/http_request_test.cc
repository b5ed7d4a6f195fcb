// The recording proxy's request reading: damaged and hostile input gets
// the right status (or a quiet close), never more than the limits allow.
#include "proxy/http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace rotguard::proxy_internal {
namespace {

// Hands out the input in pieces of `piece` bytes, then the end of stream.
class StringStream : public ByteStream {
 public:
  explicit StringStream(std::string data, size_t piece = 1 << 20)
      : data_(std::move(data)), piece_(piece) {}
  long Read(char* buf, size_t n, int) override {
    const size_t take = std::min({n, piece_, data_.size() - pos_});
    data_.copy(buf, take, pos_);
    pos_ += take;
    ++reads;
    return static_cast<long>(take);
  }
  bool WriteAll(std::string_view bytes, int) override {
    written.append(bytes);
    return true;
  }
  std::string written;
  int reads = 0;

 private:
  std::string data_;
  size_t piece_;
  size_t pos_ = 0;
};

std::optional<RequestHead> Parse(const std::string& text, RequestError* error,
                                 HeadLimits limits = {}) {
  return ParseRequestHead(text, limits, error);
}

int StatusOf(const std::string& text, HeadLimits limits = {}) {
  RequestError error;
  std::optional<RequestHead> head = Parse(text, &error, limits);
  return head ? 0 : error.status;
}

TEST(RequestHeadTest, AbsoluteFormRequestIsSplitIntoItsParts) {
  RequestError error;
  std::optional<RequestHead> head = Parse(
      "GET http://a.example/p?q=1 HTTP/1.1\r\nHost: a.example\r\n"
      "Accept:  text/html \r\n\r\n",
      &error);
  ASSERT_TRUE(head) << error.reason;
  EXPECT_EQ(head->method, "GET");
  EXPECT_EQ(head->target, "http://a.example/p?q=1");
  EXPECT_EQ(head->version, "HTTP/1.1");
  ASSERT_EQ(head->headers.size(), 2u);
  EXPECT_EQ(*head->Find("ACCEPT"), "text/html");
  EXPECT_TRUE(head->KeepAlive());
}

TEST(RequestHeadTest, MalformedRequestLinesAreBadRequests) {
  EXPECT_EQ(StatusOf("GET  /a HTTP/1.1\r\n\r\n"), 400);     // two spaces
  EXPECT_EQ(StatusOf("GET /a\r\n\r\n"), 400);               // no version
  EXPECT_EQ(StatusOf("G(T /a HTTP/1.1\r\n\r\n"), 400);      // not a token
  EXPECT_EQ(StatusOf("GET /a\x01 HTTP/1.1\r\n\r\n"), 400);  // control byte
  EXPECT_EQ(StatusOf("GET /a HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(StatusOf("GET /a HTTP/1.1 extra\r\n\r\n"), 400);
}

TEST(RequestHeadTest, SmugglingShapesOfHeaderLinesAreRefused) {
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf(std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26)),
            400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nno colon\r\n\r\n"), 400);
}

TEST(RequestHeadTest, LimitsOnLinesHeadAndFieldCountHold) {
  HeadLimits small;
  small.max_line_bytes = 64;
  small.max_header_count = 3;
  small.max_head_bytes = 200;
  EXPECT_EQ(
      StatusOf("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", small),
      414);
  EXPECT_EQ(
      StatusOf("GET / HTTP/1.1\r\nX: " + std::string(80, 'v') + "\r\n\r\n",
               small),
      431);
  EXPECT_EQ(
      StatusOf("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", small),
      431);
  std::string many = "GET / HTTP/1.1\r\n";
  while (many.size() < 300) many += "A: 1\r\n";
  EXPECT_EQ(StatusOf(many + "\r\n", small), 431);
}

TEST(RequestFramingTest, ContentLengthAndChunkedTogetherAreRefused) {
  RequestError error;
  std::optional<RequestHead> head = Parse(
      "POST http://a/ HTTP/1.1\r\nContent-Length: 3\r\n"
      "Transfer-Encoding: chunked\r\n\r\n",
      &error);
  ASSERT_TRUE(head);
  EXPECT_FALSE(FramingOf(*head, {}, &error));
  EXPECT_EQ(error.status, 400);
}

TEST(RequestFramingTest, DifferingOrSignedContentLengthsAreRefused) {
  for (const char* cl :
       {"Content-Length: 3\r\nContent-Length: 4", "Content-Length: +3",
        "Content-Length: 3 3", "Content-Length: 99999999999999999999"}) {
    RequestError error;
    std::optional<RequestHead> head = Parse(
        std::string("POST http://a/ HTTP/1.1\r\n") + cl + "\r\n\r\n", &error);
    ASSERT_TRUE(head) << cl;
    EXPECT_FALSE(FramingOf(*head, {}, &error)) << cl;
    EXPECT_EQ(error.status, 400) << cl;
  }
}

TEST(RequestFramingTest, UnknownTransferCodingIsNotImplemented) {
  RequestError error;
  std::optional<RequestHead> head = Parse(
      "POST http://a/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      &error);
  ASSERT_TRUE(head);
  EXPECT_FALSE(FramingOf(*head, {}, &error));
  EXPECT_EQ(error.status, 501);
}

TEST(RequestReaderTest, KeepAliveRequestsArriveOneAfterAnotherInTinyPieces) {
  StringStream in(
      "\r\nPOST http://a/x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
      "PUT http://a/y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n"
      "GET http://a/z HTTP/1.1\r\n\r\n",
      3);
  RequestReader reader(in, {}, 1000);
  RequestError error;
  std::optional<RequestHead> head = reader.NextHead(&error);
  ASSERT_TRUE(head) << error.reason;
  EXPECT_EQ(reader.ReadBody(*head, &error), "hello");
  head = reader.NextHead(&error);
  ASSERT_TRUE(head) << error.reason;
  EXPECT_EQ(head->method, "PUT");
  EXPECT_EQ(reader.ReadBody(*head, &error), "abcde");
  head = reader.NextHead(&error);
  ASSERT_TRUE(head) << error.reason;
  EXPECT_EQ(head->target, "http://a/z");
  EXPECT_EQ(reader.ReadBody(*head, &error), "");
  EXPECT_FALSE(reader.NextHead(&error));
  EXPECT_EQ(error.status, 0);  // the end of the stream: close quietly
}

TEST(RequestReaderTest, EndlessHeadStopsAtTheHeadLimit) {
  HeadLimits limits;
  limits.max_head_bytes = 4096;
  std::string flood = "GET http://a/ HTTP/1.1\r\n";
  while (flood.size() < 100000) flood += "X-Flood: aaaaaaaaaaaaaaaa\r\n";
  StringStream in(flood, 512);
  RequestReader reader(in, limits, 1000);
  RequestError error;
  EXPECT_FALSE(reader.NextHead(&error));
  EXPECT_EQ(error.status, 431);
  EXPECT_LT(in.reads, 20);  // it stopped reading soon after the limit
}

TEST(RequestReaderTest, EndlessLineStopsAtTheLineLimit) {
  HeadLimits limits;
  limits.max_line_bytes = 1024;
  StringStream in("GET /" + std::string(50000, 'a'), 256);
  RequestReader reader(in, limits, 1000);
  RequestError error;
  EXPECT_FALSE(reader.NextHead(&error));
  EXPECT_EQ(error.status, 431);
}

TEST(RequestReaderTest, ChunkedBodyOverTheLimitIsTooLarge) {
  HeadLimits limits;
  limits.max_body_bytes = 10;
  StringStream in(
      "POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
  RequestReader reader(in, limits, 1000);
  RequestError error;
  std::optional<RequestHead> head = reader.NextHead(&error);
  ASSERT_TRUE(head);
  EXPECT_FALSE(reader.ReadBody(*head, &error));
  EXPECT_EQ(error.status, 413);
}

TEST(RequestReaderTest, DamagedChunkFramingIsABadRequest) {
  for (const char* body : {"zz\r\nab\r\n0\r\n\r\n", "2\r\nabX\r\n0\r\n\r\n",
                           "ffffffffffffffffff\r\n", "2\r\nab"}) {
    StringStream in(
        std::string("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked"
                    "\r\n\r\n") +
        body);
    RequestReader reader(in, {}, 1000);
    RequestError error;
    std::optional<RequestHead> head = reader.NextHead(&error);
    ASSERT_TRUE(head);
    EXPECT_FALSE(reader.ReadBody(*head, &error)) << body;
    EXPECT_EQ(error.status, 400) << body;
  }
}

TEST(RequestReaderTest, ShortContentLengthBodyIsABadRequest) {
  StringStream in("POST http://a/ HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  RequestReader reader(in, {}, 1000);
  RequestError error;
  std::optional<RequestHead> head = reader.NextHead(&error);
  ASSERT_TRUE(head);
  EXPECT_FALSE(reader.ReadBody(*head, &error));
  EXPECT_EQ(error.status, 400);
}

TEST(RequestHeadTest, Http10ClosesUnlessKeepAliveIsAsked) {
  RequestError error;
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n", &error)->KeepAlive());
  EXPECT_TRUE(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &error)
                  ->KeepAlive());
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &error)
                   ->KeepAlive());
}

}  // namespace
}  // namespace rotguard::proxy_internal
