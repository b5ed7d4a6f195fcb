#include "archive/writer_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "unit/temp_dir.h"

namespace rotguard::archiver {
namespace {

// A fetched exchange of `url` whose body is `body`.
FetchedExchange ExchangeOf(const std::string& url, const std::string& body,
                           int hop = 0) {
  FetchedExchange ex;
  ex.url = url;
  ex.hop_index = hop;
  ex.started = std::chrono::system_clock::now();
  ex.request_head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ex.http_status = 200;
  ex.response = std::make_unique<WarcHttpResponse>(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n",
      WarcBodyTransfer::kDecoded);
  EXPECT_TRUE(ex.response->AppendBody(body).ok());
  return ex;
}

class WriterPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WarcWriterOptions options;
    options.directory = dir_.path();
    options.body.temp_dir = dir_.path();
    Result<std::unique_ptr<WarcWriter>> writer =
        WarcWriter::Open(std::move(options));
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    writer_ = std::move(*writer);
  }

  testing::TempDir dir_;
  std::unique_ptr<WarcWriter> writer_;
  // A durable capture of every payload the test lists here.
  std::map<std::string, CaptureRow> durable_;
  std::atomic<int> lookups_{0};
  Originals originals_{[this](const std::string& sha1) {
    ++lookups_;
    auto it = durable_.find(sha1);
    return Result<std::optional<CaptureRow>>(
        it == durable_.end() ? std::optional<CaptureRow>() : it->second);
  }};
};

TEST_F(WriterPoolTest, AnExchangeIsWrittenAsRequestAndResponse) {
  FetchedExchange ex = ExchangeOf("https://a.example/", std::string(2000, 'a'));
  WrittenExchange written;
  ASSERT_TRUE(WriteFetchedExchange(*writer_, originals_, ex, &written).ok());
  ASSERT_TRUE(written.locations.has_value());
  EXPECT_EQ(written.locations->request.type, "request");
  EXPECT_EQ(written.locations->response.type, "response");
  EXPECT_FALSE(written.original.has_value());
}

TEST_F(WriterPoolTest, APayloadWithADurableOriginalIsWrittenAsARevisit) {
  FetchedExchange first =
      ExchangeOf("https://a.example/", std::string(2000, 'a'));
  WrittenExchange written;
  ASSERT_TRUE(WriteFetchedExchange(*writer_, originals_, first, &written).ok());
  CaptureRow durable;
  durable.url = "https://a.example/";
  durable.record_id = written.locations->response.record_id;
  durable.payload_length = 2000;
  std::string sha1 = written.locations->response.payload_digest.substr(5);
  durable.payload_sha1 = sha1;
  durable_[sha1] = durable;

  FetchedExchange again =
      ExchangeOf("https://b.example/", std::string(2000, 'a'));
  WrittenExchange second;
  ASSERT_TRUE(WriteFetchedExchange(*writer_, originals_, again, &second).ok());
  ASSERT_TRUE(second.original.has_value());
  EXPECT_EQ(second.original->record_id, durable.record_id);
  EXPECT_EQ(second.locations->response.type, "revisit");
}

TEST_F(WriterPoolTest, ShortPayloadsAreNeverLookedUpAsRevisits) {
  FetchedExchange ex = ExchangeOf("https://a.example/", "tiny");
  WrittenExchange written;
  ASSERT_TRUE(WriteFetchedExchange(*writer_, originals_, ex, &written).ok());
  EXPECT_FALSE(written.original.has_value());
  EXPECT_EQ(lookups_.load(), 0);
}

TEST_F(WriterPoolTest, AnExchangeWithoutResponseWritesNothing) {
  FetchedExchange ex;
  ex.url = "https://nx.example/";
  WrittenExchange written;
  ASSERT_TRUE(WriteFetchedExchange(*writer_, originals_, ex, &written).ok());
  EXPECT_FALSE(written.locations.has_value());
}

TEST_F(WriterPoolTest, EveryExchangeIsWrittenBeforeItsJobEnds) {
  std::mutex mu;
  std::map<uint64_t, int> written_of;
  std::map<uint64_t, int> written_at_end;
  std::atomic<bool> halted{false};
  WriterPool::Hooks hooks;
  hooks.written = [&](const WorkItem& item, const WrittenExchange& w) {
    std::lock_guard<std::mutex> lock(mu);
    if (w.locations) ++written_of[item.tag];
  };
  hooks.done = [&](WorkItem& done) {
    std::lock_guard<std::mutex> lock(mu);
    written_at_end[done.tag] = written_of[done.tag];
  };
  hooks.failed = [](const Status& s) { ADD_FAILURE() << s.message(); };
  {
    WriterPool pool(*writer_, originals_, halted, std::move(hooks));
    for (uint64_t job = 0; job < 20; ++job) {
      for (int hop = 0; hop < 3; ++hop) {
        WorkItem item;
        item.tag = job;
        item.exchange =
            ExchangeOf("https://h.example/" + std::to_string(job),
                       std::to_string(job) + "-" + std::to_string(hop), hop);
        pool.Push(std::move(item));
      }
      WorkItem done;
      done.type = WorkItem::Type::kDone;
      done.tag = job;
      pool.Push(std::move(done));
    }
    EXPECT_TRUE(pool.Close().ok());
  }
  ASSERT_EQ(written_at_end.size(), 20u);
  for (const auto& [job, count] : written_at_end) EXPECT_EQ(count, 3) << job;
  EXPECT_TRUE(writer_->Close().ok());
}

TEST_F(WriterPoolTest, AHaltedPoolWritesNothingButStillEndsJobs) {
  std::atomic<bool> halted{true};
  int written = 0, ended = 0;
  WriterPool::Hooks hooks;
  hooks.written = [&](const WorkItem&, const WrittenExchange&) { ++written; };
  hooks.done = [&](WorkItem&) { ++ended; };
  hooks.failed = [](const Status&) {};
  WriterPool pool(*writer_, originals_, halted, std::move(hooks));
  WorkItem item;
  item.exchange = ExchangeOf("https://a.example/", "x");
  pool.Push(std::move(item));
  WorkItem done;
  done.type = WorkItem::Type::kDone;
  pool.Push(std::move(done));
  ASSERT_TRUE(pool.Close().ok());
  EXPECT_EQ(written, 0);
  EXPECT_EQ(ended, 1);
}

}  // namespace
}  // namespace rotguard::archiver
