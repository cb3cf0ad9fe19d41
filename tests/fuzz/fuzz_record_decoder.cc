// libFuzzer target: the Cap'n Proto record decoders (bytes from disk are untrusted). All must
// refuse or accept without crashing, and agree: whatever decodes fully has an envelope that
// decodes to the same fields, decodes to the same record through a RecordDecoder into a Record
// reused from earlier inputs, and re-encodes and decodes to the same record.
#include <cstdint>
#include <string_view>

#include "base/assert.h"
#include "ledger/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tokenledger;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<RecordEnvelope> envelope = decode_envelope(bytes, 1);
  Result<Record> record = decode_record(bytes, 1);
  // Kept across inputs, as a replay keeps them across records.
  static RecordDecoder decoder;
  static Record reused;
  const Status reused_status = decoder.decode(bytes, 1, &reused);
  TL_ASSERT(reused_status.is_ok() == record.is_ok());
  if (!record.is_ok()) {
    TL_ASSERT(reused_status.code() == record.status().code());
    return 0;
  }
  TL_ASSERT(reused == *record);
  TL_ASSERT(envelope.is_ok());
  TL_ASSERT(envelope->sequence == record->sequence);
  TL_ASSERT(envelope->recorded_at_ns == record->recorded_at_ns);
  TL_ASSERT(envelope->prev_hash == record->prev_hash);
  TL_ASSERT(envelope->schema_version == record->schema_version);
  Result<std::string> encoded = encode_record(*record);
  if (!encoded.is_ok()) return 0;  // only past the size limit
  Result<Record> again = decode_record(*encoded, 1);
  TL_ASSERT(again.is_ok());
  Record expected = *record;
  expected.schema_version = again->schema_version;  // encoding writes this build's version
  TL_ASSERT(*again == expected);
  return 0;
}
