// history (every event touching a token, secret, user or customer) and export (every event in
// a time range, with chain hashes, then the head).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>

#include "base/rfc3339.h"
#include "ledger/sha256.h"
#include "projections/event_json.h"
#include "tools/replay/progress.h"
#include "tools/replay/replay_commands.h"

namespace tokenledger::replay {
namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool any_in(const std::vector<std::string>& ids, const std::set<std::string>& owned) {
  return std::any_of(ids.begin(), ids.end(),
                     [&](const std::string& id) { return owned.contains(id); });
}

// Walks every record with its stored bytes; `visit` returns false to stop.
template <typename Visit>
Status walk(const Log& log, std::uint64_t from, const char* what, Visit&& visit) {
  Progress progress(what, log.head().sequence);
  auto cursor = log.cursor(from);
  for (; cursor->valid(); cursor->next()) {
    Result<Record> record = cursor->record();
    if (!record.is_ok()) return record.status();
    if (!visit(*record, cursor->bytes())) break;
    if (record->sequence % 10'000 == 0) progress.update(record->sequence);
  }
  return cursor->status();
}

// A value as a JSON string literal: quotes, backslashes and control characters escaped, so that
// what a client sent (its User-Agent above all) cannot forge fields of the line it is printed in.
std::string quoted(const std::string& value) {
  JsonWriter json;
  json.string(value);
  return json.take();
}

std::string actor_text(const Actor& actor) {
  std::string text;
  if (actor.user_id) text += " user=" + quoted(*actor.user_id);
  if (actor.token_id) text += " token=" + quoted(*actor.token_id);
  if (actor.client_ip) text += " ip=" + quoted(*actor.client_ip);
  if (actor.user_agent) text += " agent=" + quoted(*actor.user_agent);
  if (actor.request_id) text += " request=" + quoted(*actor.request_id);
  return text.empty() ? " (system)" : text;
}

}  // namespace

int run_history(const std::filesystem::path& data, const HistoryQuery& query) {
  std::optional<Hash> secret_hash;
  if (query.secret_from_stdin) {
    std::string secret;
    if (!std::getline(std::cin, secret) || secret.empty()) {
      std::fprintf(stderr, "tokenledger-replay: --secret reads the token value from stdin\n");
      return exit_usage;
    }
    secret_hash = sha256(secret);
    std::fill(secret.begin(), secret.end(), '\0');
  }
  std::unique_ptr<Log> log = open_log_read_only(data);
  if (!log) return exit_unreadable;
  std::optional<std::string> token_id = query.token_id;
  // An event names its subjects directly (a revocation names only its token), so a user's or a
  // customer's history also follows what it comes to own: the tokens created for it and, for a
  // customer, its users. Later events naming those touch it too.
  std::set<std::string> owned_tokens;
  std::set<std::string> owned_users;
  std::size_t matches = 0;
  Status walked = walk(*log, 1, "history", [&](const Record& record, std::string_view bytes) {
    const EventSubjects subjects = event_subjects(record.event.body);
    // A secret names its token by the token_created that carries its hash.
    if (secret_hash && !token_id && subjects.secret_sha256 != nullptr &&
        *subjects.secret_sha256 == *secret_hash) {
      token_id = subjects.token_ids.front();
    }
    const EventBody& body = record.event.body;
    const bool names_owner =
        (query.user_id && contains(subjects.user_ids, *query.user_id)) ||
        (query.customer_id && contains(subjects.customer_ids, *query.customer_id));
    if (names_owner) {
      if (std::holds_alternative<TokenCreated>(body) ||
          std::holds_alternative<LegacyKeyMigrated>(body)) {
        owned_tokens.insert(subjects.token_ids.begin(), subjects.token_ids.end());
      }
      if (query.customer_id && std::holds_alternative<UserCreated>(body)) {
        owned_users.insert(subjects.user_ids.begin(), subjects.user_ids.end());
      }
    }
    const bool hit = (token_id && contains(subjects.token_ids, *token_id)) || names_owner ||
                     any_in(subjects.token_ids, owned_tokens) ||
                     any_in(subjects.user_ids, owned_users);
    if (!hit) return true;
    ++matches;
    if (query.json) {
      JsonWriter json;
      write_record_json(json, record, sha256(bytes));
      std::printf("%s\n", json.text().c_str());
    } else {
      JsonWriter fields;
      write_event_fields(fields, record.event.body);
      std::printf("#%llu %s %s by%s: %s\n", static_cast<unsigned long long>(record.sequence),
                  format_rfc3339(record.recorded_at_ns).c_str(),
                  std::string(event_kind_name(record.event.body)).c_str(),
                  actor_text(record.event.actor).c_str(), fields.text().c_str());
    }
    return true;
  });
  if (!walked.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: %s\n", walked.to_string().c_str());
    return exit_unreadable;
  }
  if (secret_hash && !token_id) {
    std::fprintf(stderr, "no token has that secret (its SHA-256 is in no token_created)\n");
    return exit_check_failed;
  }
  std::fprintf(stderr, "%zu events\n", matches);
  return exit_ok;
}

int run_export(const std::filesystem::path& data, TimeNs since_ns, TimeNs until_ns) {
  std::unique_ptr<Log> log = open_log_read_only(data);
  if (!log) return exit_unreadable;
  const Head head = log->head();
  std::uint64_t count = 0;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  Status walked = walk(*log, 1, "export", [&](const Record& record, std::string_view bytes) {
    if (record.recorded_at_ns >= until_ns) return false;  // recorded times never go backwards
    if (record.recorded_at_ns < since_ns) return true;
    JsonWriter json;
    write_record_json(json, record, sha256(bytes));
    std::printf("%s\n", json.text().c_str());
    if (count++ == 0) first = record.sequence;
    last = record.sequence;
    return true;
  });
  if (!walked.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: %s\n", walked.to_string().c_str());
    return exit_unreadable;
  }
  JsonWriter json;
  json.begin_object().key("head").begin_object();
  json.key("sequence").number(static_cast<std::int64_t>(head.sequence));
  json.key("hash").string(hash_to_hex(head.hash)).end_object();
  json.key("since").string(format_rfc3339(since_ns)).key("until").string(format_rfc3339(until_ns));
  json.key("records").number(static_cast<std::int64_t>(count));
  json.key("first_sequence").number(static_cast<std::int64_t>(first));
  json.key("last_sequence").number(static_cast<std::int64_t>(last));
  json.end_object();
  std::printf("%s\n", json.text().c_str());
  return exit_ok;
}

}  // namespace tokenledger::replay
