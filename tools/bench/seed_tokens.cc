// tokenledger-seed-tokens: fills a data directory made by `tokenledger init` with N tokens of
// a new engineer of its customer, through TokenService::execute (the server's own write path, many
// threads at once so that they share syncs), for the HTTP benchmark's revokes. Prints the token
// ids, one per line, on stdout; the secrets are drawn and dropped (nobody needs them). Usage:
// tokenledger-seed-tokens --data DIR --count N [--threads T]
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/log.h"
#include "ledger/sha256.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

using namespace tokenledger;

int main(int argc, char** argv) {
  std::string data;
  long count = 0;
  long threads = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    if (std::strcmp(argv[i], "--count") == 0) count = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atol(argv[i + 1]);
  }
  if (data.empty() || count <= 0 || threads <= 0 || threads > 256) {
    std::fprintf(stderr, "usage: tokenledger-seed-tokens --data DIR --count N [--threads T]\n");
    return 2;
  }
  LogOptions log_options;
  log_options.path = log_path(data);
  log_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) {
    std::fprintf(stderr, "cannot open the log: %s\n", log.status().to_string().c_str());
    return 1;
  }
  TokenServiceOptions options;
  options.snapshot_path = snapshot_path(data);
  options.policy.live_tokens_per_user_max = static_cast<std::size_t>(count) + 100;
  Result<std::unique_ptr<TokenService>> service = TokenService::open(**log, options);
  if (!service.is_ok()) {
    std::fprintf(stderr, "cannot open the views: %s\n", service.status().to_string().c_str());
    return 1;
  }
  // The tokens belong to a user of their own (an engineer of init's customer), so that init's
  // superuser stays under the live-token limit for creating tokens and can revoke these.
  const std::string customer_id = (*service)->read([](const Views& views) {
    return views.customer_count() == 0 ? std::string() : views.customer(0).id;
  });
  if (customer_id.empty()) {
    std::fprintf(stderr, "no customer in %s: run tokenledger init first\n", data.c_str());
    return 1;
  }
  const std::string user_id = random_id();
  Result<std::string> unusable_password =
      hash_password(random_token_secret(), PasswordCost::minimum());
  Result<Executed> user = (*service)->execute(
      Caller::operator_caller(), CreateUser{user_id, customer_id, "seed-" + user_id + "@bench",
                                            "Seeded tokens", Role::engineer, *unusable_password});
  if (!user.is_ok() || user->rejection) {
    std::fprintf(stderr, "cannot create the seed user\n");
    return 1;
  }
  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::mutex out_mutex;
  std::vector<std::thread> workers;
  for (long t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (!failed && next.fetch_add(1) < count) {
        const std::string id = random_id();
        Result<Executed> done = (*service)->execute(Caller::user_caller(user_id),
                                                    CreateToken{id,
                                                                sha256(random_token_secret()),
                                                                user_id,
                                                                "bench",
                                                                {Scope::global},
                                                                {},
                                                                std::nullopt});
        if (!done.is_ok() || done->rejection) {
          std::fprintf(
              stderr, "create failed: %s\n",
              done.is_ok() ? done->rejection->name.c_str() : done.status().to_string().c_str());
          failed = true;
          return;
        }
        std::lock_guard lock(out_mutex);
        std::printf("%s\n", id.c_str());
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  Status stopped = (*service)->stop();
  if (failed || !stopped.is_ok()) return 1;
  return 0;
}
