#include "ledger/log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ledger/chain_verifier.h"
#include "ledger/fault_injection.h"
#include "ledger/record_codec.h"
#include "ledger/tamper.h"
#include "ledger/test_support.h"

namespace tokenledger {
namespace {

using testing::FaultInjection;
using testing::ScratchDirectory;

std::unique_ptr<Log> open_log(const std::filesystem::path& path, rocksdb::Env* env = nullptr) {
  LogOptions options;
  options.path = path;
  options.env = env;
  Result<std::unique_ptr<Log>> log = Log::open(std::move(options));
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  return log.is_ok() ? std::move(log).value() : nullptr;
}

Event customer(const std::string& id) {
  return Event{Actor{}, CustomerCreated{id, "name " + id}};
}

TEST(Log, AppendsReadsAndChainsRecords) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  EXPECT_EQ(log->head(), Head{});
  const std::vector<Event> events = testing::sample_events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    Result<AppendResult> result = log->append(std::span(&events[i], 1));
    ASSERT_TRUE(result.is_ok()) << result.status().to_string();
    EXPECT_EQ(result->first_sequence, i + 1);
    EXPECT_EQ(result->last_sequence, i + 1);
  }
  Hash prev{};
  for (std::size_t i = 0; i < events.size(); ++i) {
    Result<Record> record = log->read(i + 1);
    ASSERT_TRUE(record.is_ok()) << record.status().to_string();
    EXPECT_EQ(record->sequence, i + 1);
    EXPECT_EQ(record->event, events[i]);
    EXPECT_EQ(record->prev_hash, prev);
    EXPECT_EQ(record->schema_version, current_schema_version());
    prev = sha256(log->read_raw(i + 1)->bytes);
    EXPECT_EQ(log->record_hash(i + 1).value(), prev);
  }
  EXPECT_EQ(log->head(), (Head{events.size(), prev}));
  EXPECT_EQ(log->stored_head().value(), log->head());
  EXPECT_EQ(log->read(events.size() + 1).status().code(), StatusCode::not_found);
  EXPECT_EQ(log->record_hash(0).value(), Hash{});
  EXPECT_EQ(log->record_hash(events.size() + 1).status().code(), StatusCode::not_found);
  EXPECT_TRUE(verify_chain(*log).ok());
}

TEST(Log, CursorsIterateFromAnySequence) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  const std::vector<Event> events = testing::sample_events();
  ASSERT_TRUE(log->append(events).is_ok());
  std::uint64_t expected = 5;
  for (auto cursor = log->cursor(5); cursor->valid(); cursor->next()) {
    EXPECT_EQ(cursor->sequence(), expected);
    Result<Record> record = cursor->record();
    ASSERT_TRUE(record.is_ok()) << record.status().to_string();
    EXPECT_EQ(record->event, events[expected - 1]);
    EXPECT_EQ(sha256(cursor->bytes()), sha256(log->read_raw(expected)->bytes));
    ++expected;
  }
  EXPECT_EQ(expected, events.size() + 1);
  auto past_end = log->cursor(events.size() + 1);
  EXPECT_FALSE(past_end->valid());
  EXPECT_TRUE(past_end->status().is_ok());
}

TEST(Log, AppendsTheEventsOfOneCommandTogether) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  const std::vector<Event> events = {customer("a"), customer("b"), customer("c")};
  Result<AppendResult> result = log->append(events);
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result->first_sequence, 1u);
  EXPECT_EQ(result->last_sequence, 3u);
  for (std::uint64_t sequence = 1; sequence <= 3; ++sequence) {
    EXPECT_EQ(log->read(sequence)->recorded_at_ns, result->recorded_at_ns);
  }
}

TEST(Log, AnAppendThatCannotBeEncodedLeavesNothingBehind) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  const std::vector<Event> events = {
      customer("a"), Event{Actor{}, CustomerCreated{"b", std::string(70'000, 'x')}}};
  Result<AppendResult> result = log->append(events);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().code(), StatusCode::invalid_argument);
  EXPECT_EQ(log->head().sequence, 0u);
  EXPECT_EQ(log->read(1).status().code(), StatusCode::not_found);
  const Event next = customer("c");
  EXPECT_EQ(log->append(std::span(&next, 1))->first_sequence, 1u);
  EXPECT_TRUE(verify_chain(*log).ok());
}

TEST(Log, EnforcesItsLimitsOnAppends) {
  ScratchDirectory dir;
  LogOptions options;
  options.path = dir.path();
  options.events_per_append_max = 2;
  auto log = Log::open(options).value();
  EXPECT_EQ(log->append({}).status().code(), StatusCode::invalid_argument);
  const std::vector<Event> three = {customer("a"), customer("b"), customer("c")};
  EXPECT_EQ(log->append(three).status().code(), StatusCode::invalid_argument);
}

TEST(Log, PersistsAcrossCloseAndReopenAndKeepsChaining) {
  ScratchDirectory dir;
  Head head_before;
  {
    auto log = open_log(dir.path());
    ASSERT_TRUE(log);
    const std::vector<Event> events = testing::sample_events();
    ASSERT_TRUE(log->append(events).is_ok());
    head_before = log->head();
    EXPECT_TRUE(log->close().is_ok());
    EXPECT_EQ(log->read(1).status().code(), StatusCode::closed);
    EXPECT_EQ(log->append(events).status().code(), StatusCode::closed);
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  EXPECT_EQ(log->head(), head_before);
  EXPECT_EQ(log->read(1)->event, testing::sample_events()[0]);
  const Event next = customer("after reopen");
  Result<AppendResult> result = log->append(std::span(&next, 1));
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result->first_sequence, head_before.sequence + 1);
  EXPECT_EQ(log->read(result->first_sequence)->prev_hash, head_before.hash);
  EXPECT_TRUE(verify_chain(*log).ok());
}

TEST(Log, ManyConcurrentWritersGetGapFreeSequencesAndAValidChain) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  constexpr int thread_count = 16;
  constexpr int appends_per_thread = 150;
  std::vector<std::vector<AppendResult>> results(thread_count);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < appends_per_thread; ++i) {
        // Some commands carry several events; they must stay contiguous.
        std::vector<Event> events;
        for (int e = 0; e <= (i % 3); ++e) {
          events.push_back(
              customer(std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(e)));
        }
        Result<AppendResult> result = log->append(events);
        ASSERT_TRUE(result.is_ok()) << result.status().to_string();
        ASSERT_EQ(result->last_sequence - result->first_sequence + 1, events.size());
        results[t].push_back(*result);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& per_thread : results) {
    for (const AppendResult& r : per_thread) ranges.emplace_back(r.first_sequence, r.last_sequence);
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t expected = 1;
  for (const auto& [first, last] : ranges) {
    ASSERT_EQ(first, expected);
    expected = last + 1;
  }
  EXPECT_EQ(log->head().sequence, expected - 1);
  // Each command's events are in order and its own.
  for (const auto& per_thread : results) {
    for (const AppendResult& r : per_thread) {
      const std::string first_id =
          std::get<CustomerCreated>(log->read(r.first_sequence)->event.body).customer_id;
      for (std::uint64_t s = r.first_sequence; s <= r.last_sequence; ++s) {
        const std::string id = std::get<CustomerCreated>(log->read(s)->event.body).customer_id;
        EXPECT_EQ(id.substr(0, id.rfind('-')), first_id.substr(0, first_id.rfind('-')));
      }
    }
  }
  const ChainReport report = verify_chain(*log);
  EXPECT_TRUE(report.ok()) << report.problems.front().message;
  EXPECT_EQ(report.record_count, expected - 1);
}

TEST(Log, RecordedTimesNeverGoBackwards) {
  ScratchDirectory dir;
  std::atomic<TimeNs> now{1'000'000};
  LogOptions options;
  options.path = dir.path();
  options.clock = [&] { return now.load(); };
  auto log = Log::open(options).value();
  const Event event = customer("a");
  EXPECT_EQ(log->append(std::span(&event, 1))->recorded_at_ns, 1'000'000);
  now = 500;  // the wall clock stepped back
  EXPECT_EQ(log->append(std::span(&event, 1))->recorded_at_ns, 1'000'000);
  now = 2'000'000;
  EXPECT_EQ(log->append(std::span(&event, 1))->recorded_at_ns, 2'000'000);
  ASSERT_TRUE(log->close().is_ok());
  // ...and across a reopen, too.
  now = 10;
  auto reopened = Log::open(options).value();
  EXPECT_EQ(reopened->append(std::span(&event, 1))->recorded_at_ns, 2'000'000);
}

TEST(Log, WaitersWakeWhenRecordsArrive) {
  ScratchDirectory dir;
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  EXPECT_EQ(log->wait_for_records_after(0, std::chrono::milliseconds(10)), 0u);  // times out
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const Event event = customer("a");
    ASSERT_TRUE(log->append(std::span(&event, 1)).is_ok());
  });
  EXPECT_EQ(log->wait_for_records_after(0, std::chrono::seconds(30)), 1u);
  writer.join();
}

TEST(Log, SubmitReturnsBeforeTheSyncAndWaitDurableAfterIt) {
  ScratchDirectory dir;
  FaultInjection faults;
  auto log = open_log(dir.path(), faults.env());
  ASSERT_TRUE(log);
  faults.set_block_syncs(true);
  const Event event = customer("a");
  Result<AppendResult> submitted = log->submit(std::span(&event, 1));
  ASSERT_TRUE(submitted.is_ok());
  EXPECT_EQ(submitted->first_sequence, 1u);
  EXPECT_EQ(log->wait_for_records_after(0, std::chrono::milliseconds(20)), 0u);  // not durable yet
  EXPECT_EQ(log->head().sequence, 0u);
  faults.set_block_syncs(false);
  EXPECT_TRUE(log->wait_durable(submitted->last_sequence).is_ok());
  EXPECT_EQ(log->head().sequence, 1u);
}

TEST(Log, AFullQueueAnswersBusy) {
  ScratchDirectory dir;
  FaultInjection faults;
  LogOptions options;
  options.path = dir.path();
  options.env = faults.env();
  options.events_per_append_max = 4;
  options.pending_records_max = 8;
  auto log = Log::open(options).value();
  faults.set_block_syncs(true);
  const std::vector<Event> four = {customer("a"), customer("b"), customer("c"), customer("d")};
  ASSERT_TRUE(log->submit(four).is_ok());
  ASSERT_TRUE(log->submit(four).is_ok());
  Result<AppendResult> third = log->submit(four);
  ASSERT_FALSE(third.is_ok());
  EXPECT_EQ(third.status().code(), StatusCode::busy);
  faults.set_block_syncs(false);
  EXPECT_TRUE(log->wait_durable(8).is_ok());
  EXPECT_TRUE(log->append(four).is_ok());
}

TEST(Log, AFailedSyncStopsAppendsUntilReopenedAndNothingUnsyncedIsAcknowledged) {
  ScratchDirectory dir;
  FaultInjection faults;
  Head acknowledged;
  {
    auto log = open_log(dir.path(), faults.env());
    ASSERT_TRUE(log);
    const Event event = customer("a");
    ASSERT_TRUE(log->append(std::span(&event, 1)).is_ok());
    acknowledged = log->head();
    faults.set_fail_syncs(true);
    Result<AppendResult> failed = log->append(std::span(&event, 1));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.status().code(), StatusCode::write_stopped);
    EXPECT_NE(failed.status().message().find("sequences 2..2"), std::string::npos)
        << failed.status().message();
    EXPECT_EQ(log->head(), acknowledged);
    faults.set_fail_syncs(false);  // the disk recovers, but the log stays stopped
    Result<AppendResult> refused = log->append(std::span(&event, 1));
    ASSERT_FALSE(refused.is_ok());
    EXPECT_EQ(refused.status().code(), StatusCode::write_stopped);
    EXPECT_EQ(log->write_status().code(), StatusCode::write_stopped);
    EXPECT_TRUE(log->read(1).is_ok());  // reads keep working
  }
  auto log = open_log(dir.path());
  ASSERT_TRUE(log);
  EXPECT_GE(log->head().sequence, acknowledged.sequence);
  const Event event = customer("b");
  EXPECT_TRUE(log->append(std::span(&event, 1)).is_ok());
  EXPECT_TRUE(verify_chain(*log).ok());
}

// when_durable answers each submitted append once: ok after its sync (on the thread that wrote
// it), at once when it is durable already, and with the failure when its sync fails.
TEST(Log, WhenDurableCallsBackOnceForEachAppend) {
  ScratchDirectory dir;
  FaultInjection faults;
  auto log = open_log(dir.path(), faults.env());
  ASSERT_TRUE(log);
  const Event event = customer("a");
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::uint64_t, Status>> answers;
  const auto record = [&](std::uint64_t sequence) {
    return [&, sequence](Status status) {
      std::lock_guard lock(mutex);
      answers.emplace_back(sequence, std::move(status));
      changed.notify_all();
    };
  };
  const auto wait_for = [&](std::size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return answers.size() >= count; });
  };
  for (int i = 0; i < 50; ++i) {
    Result<AppendResult> submitted = log->submit(std::span(&event, 1));
    ASSERT_TRUE(submitted.is_ok());
    log->when_durable(submitted->last_sequence, record(submitted->last_sequence));
  }
  ASSERT_TRUE(wait_for(50));
  for (const auto& [sequence, status] : answers) {
    EXPECT_TRUE(status.is_ok()) << sequence << ": " << status.to_string();
    EXPECT_LE(sequence, log->head().sequence);
  }
  // Durable already: answered on this thread, before when_durable returns.
  log->when_durable(1, record(1));
  EXPECT_EQ(answers.size(), 51u);

  faults.set_fail_syncs(true);
  Result<AppendResult> doomed = log->submit(std::span(&event, 1));
  ASSERT_TRUE(doomed.is_ok());
  log->when_durable(doomed->last_sequence, record(doomed->last_sequence));
  ASSERT_TRUE(wait_for(52));
  EXPECT_EQ(answers.back().first, doomed->last_sequence);
  EXPECT_EQ(answers.back().second.code(), StatusCode::write_stopped);
  EXPECT_LT(log->head().sequence, doomed->last_sequence);
  ASSERT_TRUE(log->close().code() == StatusCode::write_stopped);
  EXPECT_EQ(answers.size(), 52u);  // nothing answered twice
}

TEST(Log, AFullDiskStopsAppends) {
  ScratchDirectory dir;
  FaultInjection faults;
  auto log = open_log(dir.path(), faults.env());
  ASSERT_TRUE(log);
  faults.set_disk_full(true);
  const Event event = customer("a");
  Result<AppendResult> failed = log->append(std::span(&event, 1));
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::write_stopped);
  EXPECT_EQ(log->head().sequence, 0u);
  faults.set_disk_full(false);
}

TEST(Log, ReadOnlyOpeningRefusesAppends) {
  ScratchDirectory dir;
  {
    auto log = open_log(dir.path());
    const Event event = customer("a");
    ASSERT_TRUE(log->append(std::span(&event, 1)).is_ok());
  }
  LogOptions options;
  options.path = dir.path();
  options.read_only = true;
  auto log = Log::open(options).value();
  EXPECT_EQ(log->head().sequence, 1u);
  EXPECT_TRUE(log->read(1).is_ok());
  const Event event = customer("b");
  EXPECT_EQ(log->append(std::span(&event, 1)).status().code(), StatusCode::read_only);
}

TEST(Log, RefusesToOpenALogFromANewerSchemaVersion) {
  ScratchDirectory dir;
  { ASSERT_TRUE(open_log(dir.path())); }
  ASSERT_TRUE(testing::tamper_set_schema_version(dir.path(), current_schema_version() + 1).is_ok());
  LogOptions options;
  options.path = dir.path();
  Result<std::unique_ptr<Log>> log = Log::open(options);
  ASSERT_FALSE(log.is_ok());
  EXPECT_EQ(log.status().code(), StatusCode::unsupported);
  EXPECT_NE(
      log.status().message().find("schema version " + std::to_string(current_schema_version() + 1)),
      std::string::npos);
}

TEST(Log, RefusesToAppendToALogWhoseTailWasCut) {
  ScratchDirectory dir;
  {
    auto log = open_log(dir.path());
    const std::vector<Event> events = {customer("a"), customer("b"), customer("c")};
    ASSERT_TRUE(log->append(events).is_ok());
  }
  ASSERT_TRUE(testing::tamper_cut_tail(dir.path(), 3).is_ok());
  LogOptions options;
  options.path = dir.path();
  Result<std::unique_ptr<Log>> log = Log::open(options);
  ASSERT_FALSE(log.is_ok());
  EXPECT_EQ(log.status().code(), StatusCode::corruption);
  EXPECT_NE(log.status().message().find("sequence 3"), std::string::npos);
}

}  // namespace
}  // namespace tokenledger
