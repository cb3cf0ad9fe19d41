// Converts a Record to and from its stored bytes (a Cap'n Proto flat-array message of
// `Record` in events.capnp). This is the only code that knows the on-disk encoding.
//
// Decoding treats the bytes as untrusted input: anything that does not parse is corruption;
// a schema version or event kind from a newer build is `unsupported`, never skipped.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "ledger/event.h"

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

// Decodes record after record into Records that are used again, for long walks (a replay
// decodes millions): every string and list of `*out` keeps the memory it already holds, so a
// steady walk allocates almost nothing, where decode_record allocates several blocks a record
// (ids are longer than std::string keeps inline) and its caller frees them again. When `*out`
// held another kind of event, its old body is kept here for the next record of that kind.
// The checks and the result are those of decode_record. On failure `*out` holds an unspecified
// mix of fields and must not be used. Thread-safety: one thread at a time per RecordDecoder.
class RecordDecoder {
 public:
  // What to decode. `without_actor` leaves Record::event.actor empty and its bytes unread: for
  // walks that fold events into views, which never read who acted (apply.h).
  enum class Fields : std::uint8_t { all, without_actor };

  explicit RecordDecoder(Fields fields = Fields::all) : fields_(fields) {}

  Status decode(std::string_view bytes, std::uint64_t sequence_for_messages, Record* out);

  // Bodies kept per kind (std::variant index); a walk needs about as many as it has Records in
  // flight, and this bounds the memory if it has more.
  static constexpr std::size_t spares_per_kind_max = 4096;
  using SpareBodies = std::array<std::vector<EventBody>, std::variant_size_v<EventBody>>;

 private:
  Fields fields_;
  SpareBodies spares_;
};

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
