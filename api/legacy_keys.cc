#include "api/legacy_keys.h"

#include <simdjson.h>

#include <map>

#include "base/rfc3339.h"
#include "projections/credentials.h"

namespace tokenledger::api {

bool parse_legacy_key_line(std::string_view line, LegacyKey* key, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(line.data(), line.size()).get(document)) {
    *error = "not a JSON object";
    return false;
  }
  simdjson::dom::object object;
  if (document.get(object)) {
    *error = "not a JSON object";
    return false;
  }
  std::string_view customer_id;
  std::string_view value;
  std::string_view created_at;
  for (auto field : object) {
    const std::string_view name = field.key;
    std::string_view text;
    if (field.value.get(text)) {
      *error = "field \"" + std::string(name.substr(0, 32)) + "\" must be a string";
      return false;
    }
    if (name == "customer_id") {
      customer_id = text;
    } else if (name == "key") {
      value = text;
    } else if (name == "created_at") {
      created_at = text;
    } else {
      *error = "unknown field \"" + std::string(name.substr(0, 32)) + "\"";
      return false;
    }
  }
  if (customer_id.empty()) {
    *error = "customer_id is missing";
    return false;
  }
  if (value.empty()) {
    *error = "key is missing";
    return false;
  }
  if (!legacy_key_form_ok(value)) {
    *error = "key must be " + std::to_string(legacy_key_size_min_bytes) + " to " +
             std::to_string(key_size_max_bytes) + " printable ASCII characters without spaces";
    return false;
  }
  TimeNs time = 0;
  if (created_at.empty() || !parse_rfc3339(created_at, &time)) {
    *error = "created_at is not an RFC 3339 time";
    return false;
  }
  key->customer_id = std::string(customer_id);
  key->key = std::string(value);
  key->created_at_ns = time;
  return true;
}

std::vector<LegacyKey> parse_legacy_key_file(std::string_view text, const LegacyKeyLimits& limits,
                                             std::vector<std::string>* errors) {
  std::vector<LegacyKey> keys;
  if (text.size() > limits.file_size_max_bytes) {
    errors->push_back("the file is larger than " + std::to_string(limits.file_size_max_bytes) +
                      " bytes");
    return keys;
  }
  // Each key value once in the whole file: one key under two customers would give the second
  // customer's token the first one's secret (refused half-way through the run if not here).
  std::map<std::string, std::size_t> line_of_key;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (line.size() > limits.line_size_max_bytes) {
      errors->push_back(where + "longer than " + std::to_string(limits.line_size_max_bytes) +
                        " bytes");
      continue;
    }
    LegacyKey key;
    std::string error;
    if (!parse_legacy_key_line(line, &key, &error)) {
      errors->push_back(where + error);
      continue;
    }
    key.line = number;
    if (const auto [first, added] = line_of_key.emplace(key.key, number); !added) {
      errors->push_back(where + "the same key as line " + std::to_string(first->second) +
                        " (a key belongs to one customer, once)");
      continue;
    }
    if (keys.size() >= limits.key_count_max) {
      errors->push_back(where + "more than " + std::to_string(limits.key_count_max) + " keys");
      break;
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace tokenledger::api
