// The JSON request bodies of the contract, parsed with simdjson: the bulk revoke's JSON:API
// document, and flat JSON objects that some clients send instead of a form (POST /sudo,
// POST /user). Bodies are input: anything unexpected is an error naming what, never a crash.
// Threading: pure functions (simdjson's parser is created per call; bodies are at most 64 KiB).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/form.h"

namespace tokenledger::api {

struct JsonBodyError {
  std::string message;
};

// {"data":[{"type":"token","id":"..."}, ...]} -> the ids, in order. At most `id_count_max`.
// Every element must have type "token" and a string id.
bool parse_bulk_revoke(std::string_view body, std::size_t id_count_max,
                       std::vector<std::string>* ids, JsonBodyError* error);

// {"name":"ci","scope":"global","services":["a","b"]} -> the same fields a form would give:
// strings as they are, numbers and booleans as their JSON text, arrays of strings as repeated
// "name[]" fields (as forms send services[]). Nested objects are refused.
bool parse_json_fields(std::string_view body, const FormLimits& limits, Form* form,
                       JsonBodyError* error);

}  // namespace tokenledger::api
