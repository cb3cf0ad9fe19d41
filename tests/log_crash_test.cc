// Crash recovery: a child process appends from several threads and reports every acknowledged
// append to the parent over a pipe; the parent kills it with SIGKILL at a random moment, then
// simulates a power loss by cutting every write-ahead-log file back to what was last synced
// (ledger/fault_injection.h), reopens the log, and checks that every acknowledged record is
// there with the right content and that the chain verifies. Rounds accumulate on one log.
// Without the power-loss step a SIGKILL alone could not tell a synced write from one that sat in
// the page cache; with it, acknowledging before the sync makes this test fail.
//
// TOKENLEDGER_CRASH_ROUNDS sets the number of rounds (default 20; the long mode runs hundreds),
// TOKENLEDGER_CRASH_SEED replays a run (the seed is printed).
//
// The child is this same program started afresh (fork, then exec of /proc/self/exe with
// TOKENLEDGER_CRASH_CHILD set), not a bare fork: once the parent has opened RocksDB it has
// background threads, and a forked copy of a threaded process must not go on to use them.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>

#include "ledger/chain_verifier.h"
#include "ledger/fault_injection.h"
#include "ledger/log.h"
#include "ledger/test_support.h"

namespace tokenledger {
namespace {

// One acknowledged append, as the child reports it. 24 bytes: below PIPE_BUF, so each write to
// the pipe is atomic even with several threads writing.
struct Acknowledged {
  std::uint64_t first_sequence;
  std::uint64_t last_sequence;
  std::uint32_t thread;
  std::uint32_t counter;
};

std::string event_id(int round, std::uint32_t thread, std::uint32_t counter, std::uint64_t index) {
  return "r" + std::to_string(round) + "-t" + std::to_string(thread) + "-c" +
         std::to_string(counter) + "-e" + std::to_string(index);
}

std::size_t events_in_append(std::uint32_t counter) {
  return 1 + counter % 3;
}

// The file descriptor on which the child reports acknowledgements.
constexpr int child_pipe_fd = 3;

[[noreturn]] void run_child(const std::filesystem::path& path, const std::filesystem::path& journal,
                            int round, int pipe_fd) {
  testing::FaultInjection faults;
  faults.set_sync_journal(journal);
  LogOptions options;
  options.path = path;
  options.env = faults.env();
  Result<std::unique_ptr<Log>> log = Log::open(options);
  if (!log.is_ok()) {
    std::fprintf(stderr, "child: %s\n", log.status().to_string().c_str());
    _exit(3);
  }
  const Acknowledged ready{0, 0, 0, 0};  // "the log is open": the parent's kill timer starts
  if (write(pipe_fd, &ready, sizeof ready) != sizeof ready) _exit(5);
  constexpr std::uint32_t thread_count = 4;
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint32_t counter = 0;; ++counter) {
        std::vector<Event> events;
        for (std::size_t e = 0; e < events_in_append(counter); ++e) {
          events.push_back(
              Event{Actor{}, CustomerCreated{event_id(round, t, counter, e), "crash"}});
        }
        Result<AppendResult> result = (*log)->append(events);
        if (!result.is_ok()) _exit(4);
        const Acknowledged ack{result->first_sequence, result->last_sequence, t, counter};
        if (write(pipe_fd, &ack, sizeof ack) != sizeof ack) _exit(5);
      }
    });
  }
  // The parent kills us long before this; it only bounds a child whose parent died.
  std::this_thread::sleep_for(std::chrono::seconds(30));
  _exit(6);
}

// Reads whole acknowledgements from the pipe until `deadline` (or EOF when deadline is empty),
// or until the child's ready message when `until_ready`. Returns false on EOF.
bool read_acks(int fd, std::vector<Acknowledged>* acks, std::string* partial,
               std::optional<std::chrono::steady_clock::time_point> deadline,
               bool until_ready = false) {
  char buffer[4096];
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      const auto left = *deadline - std::chrono::steady_clock::now();
      timeout_ms =
          static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
      if (timeout_ms <= 0) return true;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) continue;
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;  // EOF: every writer is gone
    partial->append(buffer, static_cast<std::size_t>(n));
    bool ready = false;
    while (partial->size() >= sizeof(Acknowledged)) {
      Acknowledged ack;
      std::memcpy(&ack, partial->data(), sizeof ack);
      partial->erase(0, sizeof ack);
      if (ack.first_sequence == 0)
        ready = true;
      else
        acks->push_back(ack);
    }
    if (until_ready && ready) return true;
  }
}

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

TEST(LogCrash, EveryAcknowledgedAppendSurvivesSigkill) {
  const int rounds = env_int("TOKENLEDGER_CRASH_ROUNDS", 20);
  const unsigned seed =
      static_cast<unsigned>(env_int("TOKENLEDGER_CRASH_SEED", std::random_device{}()));
  std::printf("crash test: %d rounds, seed %u (TOKENLEDGER_CRASH_SEED replays it)\n", rounds, seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(1, 200);
  testing::ScratchDirectory scratch;
  const std::filesystem::path log_path = scratch.path() / "log";
  const std::filesystem::path journal = scratch.path() / "sync-journal";
  std::vector<std::pair<int, Acknowledged>> all_acks;  // (round, ack)
  std::uint64_t kills = 0;

  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const std::string child_setting =
        log_path.string() + "\n" + journal.string() + "\n" + std::to_string(round);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Only async-signal-safe calls between fork and exec.
      if (dup2(fds[1], child_pipe_fd) < 0) _exit(7);
      setenv("TOKENLEDGER_CRASH_CHILD", child_setting.c_str(), 1);
      char self[] = "/proc/self/exe";
      char* const child_argv[] = {self, nullptr};
      execv(self, child_argv);
      _exit(8);
    }
    close(fds[1]);
    std::vector<Acknowledged> acks;
    std::string partial;
    // The kill timer starts once the child has opened the log, so that slow starts (sanitizer
    // builds) still get killed mid-append rather than mid-open.
    const bool ready = read_acks(fds[0], &acks, &partial,
                                 std::chrono::steady_clock::now() + std::chrono::seconds(60),
                                 /*until_ready=*/true);
    ASSERT_TRUE(ready) << "the child died before opening the log in round " << round;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms(random));
    read_acks(fds[0], &acks, &partial, deadline);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    read_acks(fds[0], &acks, &partial, std::nullopt);  // what was written before death
    close(fds[0]);
    int wait_status = 0;
    ASSERT_EQ(waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "the child stopped on its own in round " << round
                                          << " with status " << WEXITSTATUS(wait_status);
    ++kills;
    for (const Acknowledged& ack : acks) all_acks.emplace_back(round, ack);

    ASSERT_TRUE(testing::simulate_power_loss(log_path, journal).is_ok());
    testing::FaultInjection faults;  // the parent's own syncs are journaled too
    faults.set_sync_journal(journal);
    LogOptions options;
    options.path = log_path;
    options.env = faults.env();
    Result<std::unique_ptr<Log>> log = Log::open(options);
    ASSERT_TRUE(log.is_ok()) << "round " << round << ": " << log.status().to_string();
    const Head head = (*log)->head();
    for (const auto& [ack_round, ack] : all_acks) {
      ASSERT_LE(ack.last_sequence, head.sequence) << "an acknowledged append was lost";
      for (std::uint64_t s = ack.first_sequence; s <= ack.last_sequence; ++s) {
        Result<Record> record = (*log)->read(s);
        ASSERT_TRUE(record.is_ok()) << record.status().to_string();
        const auto* body = std::get_if<CustomerCreated>(&record->event.body);
        ASSERT_NE(body, nullptr);
        EXPECT_EQ(body->customer_id,
                  event_id(ack_round, ack.thread, ack.counter, s - ack.first_sequence));
      }
    }
    const ChainReport report = verify_chain(**log);
    ASSERT_TRUE(report.ok()) << "round " << round << ": " << report.problems.front().message;
    EXPECT_EQ(report.computed_head, head);
  }
  // A run in which nothing was ever acknowledged would prove nothing.
  EXPECT_GT(all_acks.size(), static_cast<std::size_t>(rounds));
  std::printf("crash test: %llu kills, %zu acknowledged appends checked, 0 lost\n",
              static_cast<unsigned long long>(kills), all_acks.size());
}

}  // namespace
}  // namespace tokenledger

int main(int argc, char** argv) {
  if (const char* setting = std::getenv("TOKENLEDGER_CRASH_CHILD")) {
    // "<log path>\n<journal path>\n<round>", set by the parent before exec.
    std::istringstream lines(setting);
    std::string log_path, journal, round;
    std::getline(lines, log_path);
    std::getline(lines, journal);
    std::getline(lines, round);
    tokenledger::run_child(log_path, journal, std::stoi(round), tokenledger::child_pipe_fd);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
