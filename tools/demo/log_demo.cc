// tokenledger-log-demo: a small, real session with the event log, for the README's run command
// until the HTTP server exists. Each run opens (or creates) the log in --data, appends one
// command's worth of events for a new token (its secret is drawn from libsodium's CSPRNG, shown
// once, and only its SHA-256 is stored), records a use and a revocation, verifies the whole
// chain, and prints the last records and the head. Running it again extends the same chain.
//
//   tokenledger-log-demo [--data DIR] [--show N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ledger/chain_verifier.h"
#include "ledger/clock.h"
#include "ledger/log.h"
#include "ledger/rfc3339.h"
#include "projections/credentials.h"

namespace {

using namespace tokenledger;

std::string describe(const EventBody& body) {
  struct Describer {
    std::string operator()(const CustomerCreated& e) {
      return e.customer_id + " \"" + e.name + "\"";
    }
    std::string operator()(const UserCreated& e) {
      return e.user_id + " login=" + e.login + " role=" + std::string(role_name(e.role));
    }
    std::string operator()(const UserUpdated& e) { return e.user_id; }
    std::string operator()(const PasswordChanged& e) { return e.user_id; }
    std::string operator()(const UserDeleted& e) { return e.user_id; }
    std::string operator()(const LoginFailed& e) { return e.user_id; }
    std::string operator()(const TokenCreated& e) {
      std::string scopes;
      for (Scope s : e.scopes) scopes += (scopes.empty() ? "" : " ") + std::string(scope_name(s));
      return e.token_id + " user=" + e.user_id + " scope=\"" + scopes +
             "\" secret_sha256=" + hash_to_hex(e.secret_sha256).substr(0, 16) + "...";
    }
    std::string operator()(const TokenRevoked& e) {
      return e.token_id + " reason=" + std::string(revoke_reason_name(e.reason));
    }
    std::string operator()(const TokenExpired& e) { return e.token_id; }
    std::string operator()(const TokenUsed& e) {
      return e.token_id + " ip=" + e.client_ip.value_or("-") +
             " uses=" + std::to_string(e.use_count);
    }
    std::string operator()(const LegacyKeyMigrated& e) { return e.customer_id + " " + e.token_id; }
    std::string operator()(const LoginSucceeded& e) { return e.user_id; }
    std::string operator()(const SudoGranted& e) { return e.token_id; }
    std::string operator()(const LoginLocked& e) { return e.user_id; }
    std::string operator()(const LoginUnlocked& e) {
      return e.user_id + " reason=" + std::string(unlock_reason_name(e.reason));
    }
    std::string operator()(const SnapshotTaken& e) {
      return "covers " + std::to_string(e.covers_sequence);
    }
  };
  return std::visit(Describer{}, body);
}

int fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "tokenledger-log-demo: %s: %s\n", what.c_str(), status.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "./data";
  std::uint64_t show = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--data" && i + 1 < argc)
      data = argv[++i];
    else if (arg == "--show" && i + 1 < argc)
      show = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: tokenledger-log-demo [--data DIR] [--show N]\n");
      return 2;
    }
  }

  LogOptions options;
  options.path = std::filesystem::path(data) / "log";
  std::filesystem::create_directories(options.path);
  Result<std::unique_ptr<Log>> opened = Log::open(options);
  if (!opened.is_ok()) return fail("opening " + options.path.string(), opened.status());
  Log& log = **opened;

  const std::string customer_id = random_id();
  const std::string user_id = random_id();
  const std::string token_id = random_id();
  const std::string secret = random_token_secret();
  const TimeNs now = system_clock_ns();
  const Actor operator_actor{};
  const Actor api_actor{user_id, std::nullopt, "127.0.0.1", "tokenledger-log-demo", "demo-1"};

  // One command: a customer, its superuser and a first token, atomically.
  const std::vector<Event> setup = {
      {operator_actor, CustomerCreated{customer_id, "Demo Co"}},
      {operator_actor, UserCreated{user_id, customer_id, "demo@example.com", "Demo Superuser",
                                   Role::superuser, std::nullopt, UserKind::person}},
      {api_actor, TokenCreated{token_id,
                               user_id,
                               customer_id,
                               "demo token",
                               {Scope::global},
                               {},
                               std::nullopt,
                               sha256(secret),
                               TokenOrigin::api,
                               now}},
  };
  Result<AppendResult> appended = log.append(setup);
  if (!appended.is_ok()) return fail("append", appended.status());
  std::printf("created token %s; its secret, shown once and never stored: %s\n", token_id.c_str(),
              secret.c_str());

  const std::vector<Event> later = {
      {Actor{std::nullopt, token_id, "127.0.0.1", "curl/7.88.1", "demo-2"},
       TokenUsed{token_id, now, "127.0.0.1", "curl/7.88.1", 1}},
      {api_actor, TokenRevoked{token_id, user_id, RevokeReason::owner}},
  };
  appended = log.append(later);
  if (!appended.is_ok()) return fail("append", appended.status());

  const ChainReport report = verify_chain(log);
  if (!report.ok()) {
    for (const ChainProblem& problem : report.problems) {
      std::fprintf(stderr, "chain problem at sequence %llu (%s): %s\n",
                   static_cast<unsigned long long>(problem.sequence), problem.kind.c_str(),
                   problem.message.c_str());
    }
    return 1;
  }
  const Head head = log.head();
  const std::uint64_t first = head.sequence > show ? head.sequence - show + 1 : 1;
  std::printf("\nthe last %llu records:\n",
              static_cast<unsigned long long>(head.sequence - first + 1));
  for (std::uint64_t sequence = first; sequence <= head.sequence; ++sequence) {
    Result<Record> record = log.read(sequence);
    if (!record.is_ok()) return fail("read", record.status());
    std::printf("  %6llu  %s  %-16s %s\n", static_cast<unsigned long long>(sequence),
                format_rfc3339(record->recorded_at_ns).c_str(),
                std::string(event_kind_name(record->event.body)).c_str(),
                describe(record->event.body).c_str());
  }
  std::printf("\nchain verified: %llu records, head %llu %s\n",
              static_cast<unsigned long long>(report.record_count),
              static_cast<unsigned long long>(head.sequence), hash_to_hex(head.hash).c_str());
  std::printf("the log is in %s; run again to extend the same chain\n", options.path.c_str());
  Status closed = log.close();
  return closed.is_ok() ? 0 : fail("close", closed);
}
