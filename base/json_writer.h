// A small JSON writer for responses: objects, arrays, strings, numbers, booleans and null, with
// strings escaped per RFC 8259. Invalid UTF-8 (a name stored from a form with %FF in it) is
// written as U+FFFD, so that every body is valid JSON for Fastly's clients.
// Threading: a value type, one writer per response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tokenledger {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);  // inside an object, before each value
  JsonWriter& string(std::string_view value);
  JsonWriter& optional_string(const std::optional<std::string>& value);  // null when absent
  JsonWriter& number(std::int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void separate();
  std::string text_;
  bool need_comma_ = false;
};

// `value` as the body of a JSON string (without the quotes).
void append_json_escaped(std::string* out, std::string_view value);

}  // namespace tokenledger
