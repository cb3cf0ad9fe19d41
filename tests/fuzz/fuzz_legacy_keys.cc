// libFuzzer target: the legacy-migration line parser and file splitter.
#include <cstdint>
#include <string_view>

#include "api/legacy_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tokenledger::api;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LegacyKey key;
  std::string error;
  (void)parse_legacy_key_line(text, &key, &error);
  std::vector<std::string> errors;
  (void)parse_legacy_key_file(text, LegacyKeyLimits{}, &errors);
  return 0;
}
