// libFuzzer target: the JSON request bodies (bulk revoke, flat objects).
#include <cstdint>
#include <string_view>

#include "api/json_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tokenledger::api;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> ids;
  JsonBodyError error;
  (void)parse_bulk_revoke(body, 1000, &ids, &error);
  Form form;
  (void)parse_json_fields(body, FormLimits{}, &form, &error);
  return 0;
}
