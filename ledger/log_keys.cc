#include "ledger/log_keys.h"

#include <cstring>

namespace tokenledger::log_keys {
namespace {

void put_u64_be(std::uint64_t value, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

std::uint64_t get_u64_be(const char* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[i]);
  return value;
}

}  // namespace

std::array<char, sequence_key_size> sequence_key(std::uint64_t sequence) {
  std::array<char, sequence_key_size> key{};
  put_u64_be(sequence, key.data());
  return key;
}

bool parse_sequence_key(std::string_view key, std::uint64_t* sequence) {
  if (key.size() != sequence_key_size) return false;
  *sequence = get_u64_be(key.data());
  return true;
}

std::string encode_head(std::uint64_t sequence, const Hash& hash) {
  std::string value(head_value_size, '\0');
  put_u64_be(sequence, value.data());
  std::memcpy(value.data() + 8, hash.data(), hash.size());
  return value;
}

bool decode_head(std::string_view value, std::uint64_t* sequence, Hash* hash) {
  if (value.size() != head_value_size) return false;
  *sequence = get_u64_be(value.data());
  std::memcpy(hash->data(), value.data() + 8, hash->size());
  return true;
}

std::string encode_schema_version(std::uint16_t version) {
  return std::string{static_cast<char>(version >> 8), static_cast<char>(version & 0xff)};
}

bool decode_schema_version(std::string_view value, std::uint16_t* version) {
  if (value.size() != 2) return false;
  *version = static_cast<std::uint16_t>((static_cast<std::uint8_t>(value[0]) << 8) |
                                        static_cast<std::uint8_t>(value[1]));
  return true;
}

}  // namespace tokenledger::log_keys
