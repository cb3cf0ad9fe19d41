// Converts a Record to and from its stored bytes (a Cap'n Proto flat-array message of
// `Record` in events.capnp). This is the only code that knows the on-disk encoding.
//
// Decoding treats the bytes as untrusted input: anything that does not parse is corruption;
// a schema version or event kind from a newer build is `unsupported`, never skipped.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/status.h"

namespace tokenledger {

// The schema version this build writes and the newest it can read (events.capnp).
std::uint16_t current_schema_version();

// One encoded record may not exceed this. The API caps every field long before this bound;
// it exists so that no record, however it was made, can grow without limit.
inline constexpr std::size_t record_size_max_bytes = 64 * 1024;

// Encodes `record` as written by this build: `record.schema_version` is ignored and the current
// version is stored. invalid_argument when the encoding would exceed record_size_max_bytes.
Result<std::string> encode_record(const Record& record);

// Decodes stored bytes. `sequence_for_messages` only names the record in error messages.
Result<Record> decode_record(std::string_view bytes, std::uint64_t sequence_for_messages);

// What every record carries besides its event: enough to check the chain.
struct RecordEnvelope {
  std::uint64_t sequence = 0;
  TimeNs recorded_at_ns = 0;
  Hash prev_hash{};
  std::uint16_t schema_version = 0;
};

// Decodes only the envelope, with the same checks decode_record makes of it (framing, limits,
// schema version, a known event kind), leaving the event's own fields unread: a chain walk at
// several times the speed of a full decode.
Result<RecordEnvelope> decode_envelope(std::string_view bytes, std::uint64_t sequence_for_messages);

}  // namespace tokenledger
