// libFuzzer target: RFC 3339 parsing; whatever parses formats back to a time that parses to
// the same second.
#include <cstdint>
#include <string_view>

#include "base/assert.h"
#include "base/rfc3339.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tokenledger::TimeNs time = 0;
  if (tokenledger::parse_rfc3339(text, &time)) {
    tokenledger::TimeNs again = 0;
    TL_ASSERT(tokenledger::parse_rfc3339(tokenledger::format_rfc3339(time), &again));
    TL_ASSERT(again / 1'000'000'000 == time / 1'000'000'000 ||
              (time < 0 && again / 1'000'000'000 == time / 1'000'000'000 - 1));
  }
  return 0;
}
