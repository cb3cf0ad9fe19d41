#include "api/form.h"

#include "base/hex.h"

namespace tokenledger::api {
namespace {

// Percent-decodes one name or value; false on a malformed escape.
bool unescape(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return false;  // "%", "%4" at the end
      const int high = hex_digit_value(text[i + 1]);
      const int low = hex_digit_value(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> Form::first(std::string_view name) const {
  for (const auto& [field, value] : fields_) {
    if (field == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> Form::all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [field, value] : fields_) {
    if (field == name) values.emplace_back(value);
  }
  return values;
}

std::optional<FormError> decode_form(std::string_view body, const FormLimits& limits, Form* form) {
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view piece = body.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    if (form->size() >= limits.field_count_max) {
      return FormError{"more than " + std::to_string(limits.field_count_max) + " form fields"};
    }
    const std::size_t equals = piece.find('=');
    const std::string_view raw_name = piece.substr(0, equals);
    const std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : piece.substr(equals + 1);
    std::string name;
    std::string value;
    if (!unescape(raw_name, &name)) return FormError{"a form field name has a malformed %-escape"};
    if (name.size() > limits.name_size_max_bytes) return FormError{"a form field name is too long"};
    if (!unescape(raw_value, &value)) {
      return FormError{"form field '" + name + "' has a malformed %-escape"};
    }
    if (value.size() > limits.value_size_max_bytes) {
      return FormError{"form field '" + name + "' is too long"};
    }
    form->add(std::move(name), std::move(value));
  }
  return std::nullopt;
}

}  // namespace tokenledger::api
