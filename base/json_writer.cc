#include "base/json_writer.h"

namespace tokenledger {
namespace {

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_size(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t size = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) {
    size = 2;
    code = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    size = 3;
    code = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    size = 4;
    code = lead & 0x07;
  } else
    return 0;
  if (text.size() < size) return 0;
  for (std::size_t i = 1; i < size; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < minimum[size] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return size;
}

}  // namespace

void append_json_escaped(std::string* out, std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          out->append("\\u00");
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
      }
      ++i;
    } else if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      const std::size_t size = utf8_sequence_size(value.substr(i));
      if (size == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(value.substr(i, size));
        i += size;
      }
    }
  }
}

void JsonWriter::separate() {
  if (need_comma_) text_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  text_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  text_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  text_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  text_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  text_.push_back('"');
  append_json_escaped(&text_, name);
  text_.append("\":");
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  separate();
  text_.push_back('"');
  append_json_escaped(&text_, value);
  text_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::optional_string(const std::optional<std::string>& value) {
  return value ? string(*value) : null();
}

JsonWriter& JsonWriter::number(std::int64_t value) {
  separate();
  text_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  separate();
  text_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  text_.append("null");
  return *this;
}

}  // namespace tokenledger
