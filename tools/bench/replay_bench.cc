// replay_bench: how fast the audit tool's two long walks go over a big log, next to plain
// RocksDB iteration over the same records in the same run:
//   verify  - verify_chain (decode, check sequence and hash chain), what `tokenledger-replay
//             verify` does;
//   decode  - reading and decoding every record on one thread (what a rebuild spreads over two);
//   rebuild - replay_within into fresh views (read, decode, apply), what `rebuild` and `state` do;
//   plain   - a RocksDB iterator over the records column family, reading every key and value,
//             first and again last; the final ratios use the mean of the two.
// Usage: replay_bench [--events N] [--dir DIR] [--reuse] [--only WALK]
//   default 5,000,000 events in a scratch dir; --reuse keeps a log already in --dir (written by an
//   earlier run) instead of writing a new one, so that repeated runs measure reading only.
//   --only plain|verify|decode|rebuild runs that walk alone (for a profiler); no ratios then.
#include <rocksdb/db.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/chain_verifier.h"
#include "ledger/log.h"
#include "ledger/log_keys.h"
#include "ledger/record_codec.h"
#include "ledger/sha256.h"
#include "projections/replay.h"

using namespace tokenledger;
using Clock = std::chrono::steady_clock;

namespace {

void fail(const std::string& message) {
  std::fprintf(stderr, "replay_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string numbered_id(char prefix, std::uint64_t n) {
  char id[23];
  std::snprintf(id, sizeof id, "%c%021llu", prefix, static_cast<unsigned long long>(n));
  return id;
}

// A mixed history: per ten events, six tokens created, two used, two revoked (of earlier
// tokens), with a user per thousand tokens.
void build_log(Log& log, std::uint64_t event_count) {
  const std::string customer = numbered_id('C', 1);
  std::vector<Event> batch = {Event{Actor{}, CustomerCreated{customer, "Bench Co"}}};
  const TimeNs now = 1'700'000'000'000'000'000;
  std::uint64_t events = 1;
  std::uint64_t created = 0;
  std::uint64_t revoked = 0;
  while (events < event_count) {
    const std::uint64_t slot = events % 10;
    if (slot < 6 || created < 10) {
      const std::string user = numbered_id('U', created / 1000);
      if (created % 1000 == 0) {
        batch.push_back(
            Event{Actor{}, UserCreated{user, customer, user + "@bench", "User", Role::engineer,
                                       std::nullopt, UserKind::person}});
        ++events;
      }
      batch.push_back(Event{Actor{user, std::nullopt, "192.0.2.1", "bench", std::nullopt},
                            TokenCreated{numbered_id('T', created),
                                         user,
                                         customer,
                                         "bench",
                                         {Scope::global},
                                         {},
                                         std::nullopt,
                                         sha256(numbered_id('S', created)),
                                         TokenOrigin::api,
                                         now}});
      ++created;
    } else if (slot < 8) {
      batch.push_back(Event{Actor{}, TokenUsed{numbered_id('T', created - 1), now,
                                               std::string("192.0.2.1"), std::string("bench"), 3}});
    } else {
      batch.push_back(Event{
          Actor{}, TokenRevoked{numbered_id('T', revoked++), std::nullopt, RevokeReason::owner}});
    }
    ++events;
    if (batch.size() >= 1000) {
      if (!log.append(batch).is_ok()) fail("append failed");
      batch.clear();
    }
  }
  if (!batch.empty() && !log.append(batch).is_ok()) fail("append failed");
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A plain RocksDB iterator over the records column family, reading every key and value; prints
// and returns records per second.
double plain_iteration(const std::filesystem::path& dir, const char* label) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, {}}, {std::string(log_keys::records_column_family), {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly({}, dir.string(), families, &handles, &db).ok()) {
    fail("cannot open RocksDB");
  }
  const auto start = Clock::now();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, handles[1]));
  std::uint64_t bytes = 0;
  std::uint64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bytes += it->key().size() + it->value().size();
    ++count;
  }
  const double rate = static_cast<double>(count) / seconds_since(start);
  std::printf("%s: %llu records, %.1f MB, %.0f records/s\n", label,
              static_cast<unsigned long long>(count), static_cast<double>(bytes) / 1e6, rate);
  it.reset();
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  delete db;
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t event_count = 5'000'000;
  std::filesystem::path dir;
  bool reuse = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reuse") == 0) {
      reuse = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--events") == 0) {
      event_count = std::stoull(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--dir") == 0) {
      dir = argv[++i];
    } else if (i + 1 < argc && std::strcmp(argv[i], "--only") == 0) {
      only = argv[++i];
      if (only != "plain" && only != "verify" && only != "decode" && only != "rebuild") {
        fail("--only takes plain, verify, decode or rebuild");
      }
    } else {
      fail(std::string("unknown argument ") + argv[i]);
    }
  }
  const bool scratch = dir.empty();
  if (scratch) dir = std::filesystem::temp_directory_path() / "tokenledger-replay-bench";
  if (scratch && reuse) fail("--reuse needs --dir");
  if (reuse && !std::filesystem::exists(dir)) fail("--reuse: nothing in " + dir.string());
  if (!reuse) std::filesystem::remove_all(dir);
  if (!reuse) {
    LogOptions options;
    options.path = dir;
    std::unique_ptr<Log> log = Log::open(options).value();
    const auto start = Clock::now();
    build_log(*log, event_count);
    std::printf("wrote %llu events in %.1f s\n",
                static_cast<unsigned long long>(log->head().sequence), seconds_since(start));
  }
  LogOptions options;
  options.path = dir;
  options.read_only = true;
  std::unique_ptr<Log> log = Log::open(options).value();
  const double records = static_cast<double>(log->head().sequence);

  const auto runs = [&](const char* walk) { return only.empty() || only == walk; };
  // "ratio to plain 0.52", or a note that plain iteration did not run (--only).
  double plain_rate = 0;
  const auto ratio = [&](double rate) {
    char text[64] = "no plain run";
    if (plain_rate > 0) std::snprintf(text, sizeof text, "ratio to plain %.2f", rate / plain_rate);
    return std::string(text);
  };
  // Plain iteration runs first and again last, and the ratios use the mean of the two: on this
  // kind of machine its speed drifts by a third within a minute (docs/benchmarks.md).
  if (runs("plain")) plain_rate = plain_iteration(dir, "plain RocksDB iteration (before)");
  double verify_rate = 0;
  double rebuild_rate = 0;
  if (runs("verify")) {
    const auto start = Clock::now();
    const ChainReport report = verify_chain(*log);
    verify_rate = records / seconds_since(start);
    if (!report.ok()) fail("the chain did not verify: " + report.problems.front().message);
    std::printf("verify: %.0f records/s (%s; goal >= 1,000,000/s)\n", verify_rate,
                ratio(verify_rate).c_str());
  }
  // Reading and decoding every record on one thread: the part of a rebuild that its pipeline
  // spreads over two (ledger/record_pipeline.h).
  if (runs("decode")) {
    const auto start = Clock::now();
    std::uint64_t decoded = 0;
    RecordDecoder decoder;
    Record record;
    for (auto cursor = log->cursor(1); cursor->valid(); cursor->next()) {
      if (!cursor->record_into(decoder, &record).is_ok()) fail("a record did not decode");
      ++decoded;
    }
    const double decode_rate = static_cast<double>(decoded) / seconds_since(start);
    std::printf("read and decode (one thread): %.0f records/s (%s)\n", decode_rate,
                ratio(decode_rate).c_str());
  }
  if (runs("rebuild")) {
    const auto start = Clock::now();
    Views views;
    if (!replay_within(views, *log, ReplayLimits{}).is_ok()) fail("rebuild failed");
    rebuild_rate = records / seconds_since(start);
    std::printf("rebuild: %.0f records/s (%s; goal >= 0.33 of plain), %zu tokens, %zu live\n",
                rebuild_rate, ratio(rebuild_rate).c_str(), views.token_count(),
                views.live_token_count());
  }
  if (runs("plain") && only.empty()) {
    const double after = plain_iteration(dir, "plain RocksDB iteration (after)");
    const double before = plain_rate;
    plain_rate = (before + after) / 2;
    std::printf(
        "ratios to the mean plain rate, %.0f records/s: verify %.2f, rebuild %.2f "
        "(goal >= 0.33)\n",
        plain_rate, verify_rate / plain_rate, rebuild_rate / plain_rate);
  }
  log.reset();
  if (scratch) std::filesystem::remove_all(dir);
  return 0;
}
