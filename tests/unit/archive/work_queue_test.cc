#include "archive/work_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace rotguard::archiver {
namespace {

WorkItem Exchange(uint64_t tag, int hop) {
  WorkItem item;
  item.type = WorkItem::Type::kExchange;
  item.tag = tag;
  item.exchange.hop_index = hop;
  return item;
}

WorkItem Done(uint64_t tag) {
  WorkItem item;
  item.type = WorkItem::Type::kDone;
  item.tag = tag;
  return item;
}

// What the handlers saw, from any thread.
struct Seen {
  std::mutex mu;
  std::map<uint64_t, int> handled;         // exchanges handled, by job
  std::map<uint64_t, int> handled_at_end;  // ... when the job's end came
  std::vector<uint64_t> ends;

  WorkQueue::Handlers Handlers() {
    return {[this](WorkItem& item) {
              std::lock_guard<std::mutex> lock(mu);
              ++handled[item.tag];
            },
            [this](WorkItem& item) {
              std::lock_guard<std::mutex> lock(mu);
              handled_at_end[item.tag] = handled[item.tag];
              ends.push_back(item.tag);
            }};
  }
};

TEST(WorkQueueTest, AJobsEndComesAfterEveryExchangeOfTheJob) {
  Seen seen;
  {
    WorkQueue queue(4, 3, seen.Handlers());
    for (uint64_t job = 0; job < 50; ++job) {
      for (int hop = 0; hop < static_cast<int>(job % 4); ++hop) {
        queue.Push(Exchange(job, hop));
      }
      queue.Push(Done(job));
    }
    EXPECT_TRUE(queue.Close().ok());
  }
  ASSERT_EQ(seen.ends.size(), 50u);
  for (uint64_t job = 0; job < 50; ++job) {
    EXPECT_EQ(seen.handled_at_end[job], static_cast<int>(job % 4))
        << "job " << job;
  }
}

TEST(WorkQueueTest, EveryEndIsHandledExactlyOnce) {
  Seen seen;
  WorkQueue queue(3, 2, seen.Handlers());
  for (uint64_t job = 0; job < 30; ++job) {
    queue.Push(Exchange(job, 0));
    queue.Push(Exchange(job, 1));
    queue.Push(Done(job));
  }
  ASSERT_TRUE(queue.Close().ok());
  std::set<uint64_t> distinct(seen.ends.begin(), seen.ends.end());
  EXPECT_EQ(distinct.size(), 30u);
  EXPECT_EQ(seen.ends.size(), 30u);
}

TEST(WorkQueueTest, AJobWithoutExchangesEndsAtOnce) {
  Seen seen;
  WorkQueue queue(1, 1, seen.Handlers());
  queue.Push(Done(7));
  ASSERT_TRUE(queue.Close().ok());
  ASSERT_EQ(seen.ends, std::vector<uint64_t>{7});
  EXPECT_EQ(seen.handled_at_end[7], 0);
}

TEST(WorkQueueTest, AThrowingExchangeStillLetsItsJobEndAndIsReported) {
  std::mutex mu;
  std::vector<uint64_t> ends;
  WorkQueue queue(2, 4,
                  {[](WorkItem& item) {
                     if (item.exchange.hop_index == 1) {
                       throw std::runtime_error("no space");
                     }
                   },
                   [&](WorkItem& item) {
                     std::lock_guard<std::mutex> lock(mu);
                     ends.push_back(item.tag);
                   }});
  queue.Push(Exchange(1, 0));
  queue.Push(Exchange(1, 1));
  queue.Push(Done(1));
  Status status = queue.Close();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(ends, std::vector<uint64_t>{1});
}

}  // namespace
}  // namespace rotguard::archiver
