// Durable appends per second through the Log at 1, 8 and 32 concurrent writers, next to plain
// RocksDB synced Puts of values of the same size, run by this same program on the same disk, and
// the ratio between them. Results and the command are recorded in docs/benchmarks.md.
//
//   log_append_bench [--seconds N] [--dir DIR] [--writers 1,8,32]
//
// Each figure is a fresh database in DIR (default: ./bench-tmp under the current directory, so
// that it is on the disk being measured), removed afterwards.
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log.h"
#include "ledger/log_keys.h"
#include "ledger/record_codec.h"

namespace tokenledger {
namespace {

using Clock = std::chrono::steady_clock;

// A token creation, the event an API under load appends most.
Event sample_event(std::uint64_t n) {
  TokenCreated created;
  created.token_id = "2j1hEyxXOEqYaSipe" + std::to_string(100000 + n % 900000);
  created.user_id = "4Lq3C2Xj0pM8d6zYw1Bn5a";
  created.customer_id = "7H1sY0aB2cD3eF4gH5iJ6k";
  created.name = "ci deploy token";
  created.scopes = {Scope::global, Scope::purge_select};
  created.services = {"SU1Z0isxPaozGVKXdv0eY"};
  created.secret_sha256 = sha256(std::to_string(n));
  created.created_at_ns = 1'700'000'000'000'000'000;
  Actor actor{"4Lq3C2Xj0pM8d6zYw1Bn5a", std::nullopt, "192.0.2.7", "fastly-cli/10.7.0",
              "req-" + std::to_string(n)};
  return Event{std::move(actor), std::move(created)};
}

std::size_t sample_record_size() {
  Record record;
  record.event = sample_event(1);
  return encode_record(record).value().size();
}

double run_writers(int writers, double seconds, const std::function<bool(int, std::uint64_t)>& op) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> total{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::uint64_t done = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!op(w, done)) break;
        ++done;
      }
      total.fetch_add(done);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return static_cast<double>(total.load()) / elapsed;
}

double bench_log(const std::filesystem::path& dir, int writers, double seconds) {
  LogOptions options;
  options.path = dir;
  auto log = Log::open(options);
  if (!log.is_ok()) {
    std::fprintf(stderr, "cannot open the log: %s\n", log.status().to_string().c_str());
    std::exit(1);
  }
  const double rate = run_writers(writers, seconds, [&](int w, std::uint64_t n) {
    const Event event = sample_event(n * 64 + static_cast<std::uint64_t>(w));
    Result<AppendResult> result = (*log)->append(std::span(&event, 1));
    if (!result.is_ok()) std::fprintf(stderr, "append: %s\n", result.status().to_string().c_str());
    return result.is_ok();
  });
  (void)(*log)->close();
  return rate;
}

double bench_rocksdb(const std::filesystem::path& dir, int writers, double seconds,
                     std::size_t value_size) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!status.ok()) {
    std::fprintf(stderr, "cannot open RocksDB: %s\n", status.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  std::atomic<std::uint64_t> next_key{1};
  const std::string value(value_size, 'v');
  const double rate = run_writers(writers, seconds, [&](int, std::uint64_t) {
    const auto key = log_keys::sequence_key(next_key.fetch_add(1));
    return db->Put(write_options, rocksdb::Slice(key.data(), key.size()), value).ok();
  });
  (void)db->Close();
  return rate;
}

std::vector<int> parse_writers(const std::string& list) {
  std::vector<int> writers;
  std::stringstream stream(list);
  std::string item;
  while (std::getline(stream, item, ',')) writers.push_back(std::stoi(item));
  return writers;
}

}  // namespace
}  // namespace tokenledger

int main(int argc, char** argv) {
  using namespace tokenledger;
  double seconds = 3.0;
  std::filesystem::path base = std::filesystem::current_path() / "bench-tmp";
  std::vector<int> writers = {1, 8, 32};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc)
      seconds = std::stod(argv[++i]);
    else if (arg == "--dir" && i + 1 < argc)
      base = argv[++i];
    else if (arg == "--writers" && i + 1 < argc)
      writers = parse_writers(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: log_append_bench [--seconds N] [--dir DIR] [--writers 1,8,32]\n");
      return 2;
    }
  }
  const std::size_t value_size = sample_record_size();
  std::printf("durable appends per second, %.1f s per figure, record size %zu bytes, dir %s\n",
              seconds, value_size, base.string().c_str());
  std::printf("%8s %16s %20s %8s\n", "writers", "log appends/s", "rocksdb sync puts/s", "ratio");
  std::fflush(stdout);
  for (int w : writers) {
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base);
    const double plain = bench_rocksdb(base / "rocksdb", w, seconds, value_size);
    const double log = bench_log(base / "log", w, seconds);
    std::filesystem::remove_all(base);
    std::printf("%8d %16.0f %20.0f %8.2f\n", w, log, plain, log / plain);
    std::fflush(stdout);
  }
  return 0;
}
