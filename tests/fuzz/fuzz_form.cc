// libFuzzer target: the form decoder (bodies and query strings).
#include <cstdint>
#include <string_view>

#include "api/form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  tokenledger::api::Form form;
  if (!tokenledger::api::decode_form(body, tokenledger::api::FormLimits{}, &form)) {
    // Decoded: every value must be reachable again by its name.
    (void)form.first("name");
    (void)form.all("services[]");
  }
  return 0;
}
