// The legacy-key file of `tokenledger migrate-legacy`: JSON lines, one account API key each,
//   {"customer_id": "...", "key": "<the old key value>", "created_at": "2016-04-01T10:00:00Z"}
// Parsing is pure and total (a fuzzing target): a bad line is an error naming its line number
// and what is wrong, never the key. The whole file is checked before anything is written.
// Threading: pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace tokenledger::api {

struct LegacyKey {
  std::size_t line = 0;  // 1-based, for messages
  std::string customer_id;
  std::string key;  // the old key value: hashed at once by the caller, never stored
  TimeNs created_at_ns = 0;
};

struct LegacyKeyLimits {
  std::size_t file_size_max_bytes = 64 * 1024 * 1024;
  std::size_t line_size_max_bytes = 4096;
  std::size_t key_count_max = 1'000'000;
};

// One line; false with `error` ("created_at is not an RFC 3339 time") on a bad one.
bool parse_legacy_key_line(std::string_view line, LegacyKey* key, std::string* error);

// A whole file's text. Blank lines are skipped. Every error is listed as "line N: ...". A
// customer may have several keys; one key value on two lines (under one customer or two) is an
// error. Empty `errors` means valid.
std::vector<LegacyKey> parse_legacy_key_file(std::string_view text, const LegacyKeyLimits& limits,
                                             std::vector<std::string>* errors);

}  // namespace tokenledger::api
