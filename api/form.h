// Decodes application/x-www-form-urlencoded bodies (and query strings): "name=ci&scope=global+
// purge_select&services[]=a&services[]=b". '+' is a space, %XX a byte; repeated names keep
// every value in order. A small, pure function, and a fuzzing target.
// Threading: pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokenledger::api {

struct FormLimits {
  std::size_t field_count_max = 512;  // services[] may repeat; past this: refused
  std::size_t name_size_max_bytes = 256;
  std::size_t value_size_max_bytes = 16 * 1024;
};

class Form {
 public:
  // The first value of `name`, if any.
  std::optional<std::string_view> first(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string_view> all(std::string_view name) const;
  bool has(std::string_view name) const { return first(name).has_value(); }
  std::size_t size() const { return fields_.size(); }

  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct FormError {
  std::string message;  // names the field and what is wrong with it, never its value
};

// Decodes `body`. Empty pieces ("a=1&&b=2") are skipped; a piece without '=' is a name with an
// empty value. Malformed escapes and limits passed are errors.
std::optional<FormError> decode_form(std::string_view body, const FormLimits& limits, Form* form);

}  // namespace tokenledger::api
