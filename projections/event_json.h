// Records as JSON, for the audit tools (export, history): every field of every event kind by
// its stable name, times as RFC 3339, hashes as hex. Password hashes and sealed TOTP secrets are
// never written, only whether one was set: an export is evidence, not a credential store.
// Token secrets exist only as their SHA-256 anyway, which is written (an auditor holding a
// leaked token can match it).
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include "base/json_writer.h"
#include "ledger/event.h"
#include "ledger/sha256.h"

namespace tokenledger {

// {"sequence","recorded_at","kind","actor":{...},"fields":{...},"prev_hash","hash"}; `hash` is
// the SHA-256 of the record's stored bytes (the chain link the next record names).
void write_record_json(JsonWriter& json, const Record& record, const Hash& record_hash);

// The event's own fields, as the "fields" object.
void write_event_fields(JsonWriter& json, const EventBody& body);

// The ids an event names, for history queries: the token, user and customer it touches.
struct EventSubjects {
  std::vector<std::string> token_ids;
  std::vector<std::string> user_ids;
  std::vector<std::string> customer_ids;
  const Hash* secret_sha256 = nullptr;  // token_created only
};
EventSubjects event_subjects(const EventBody& body);

}  // namespace tokenledger
