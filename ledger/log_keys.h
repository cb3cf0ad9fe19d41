// The keys and small values of the log's RocksDB layout. WARNING: on-disk format; never change.
//
//   column family "records": key = sequence (8 bytes, big-endian) -> record bytes
//   column family "default": key "head"           -> sequence (8 bytes BE) + SHA-256 (32 bytes)
//                            key "schema_version" -> version (2 bytes BE)
//
// Big-endian keys make RocksDB's bytewise order equal sequence order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/sha256.h"

namespace tokenledger::log_keys {

inline constexpr std::string_view records_column_family = "records";
inline constexpr std::string_view head_key = "head";
inline constexpr std::string_view schema_version_key = "schema_version";
inline constexpr std::size_t sequence_key_size = 8;
inline constexpr std::size_t head_value_size = 8 + 32;

std::array<char, sequence_key_size> sequence_key(std::uint64_t sequence);
// False unless `key` is exactly 8 bytes.
bool parse_sequence_key(std::string_view key, std::uint64_t* sequence);

std::string encode_head(std::uint64_t sequence, const Hash& hash);
bool decode_head(std::string_view value, std::uint64_t* sequence, Hash* hash);

std::string encode_schema_version(std::uint16_t version);
bool decode_schema_version(std::string_view value, std::uint16_t* version);

}  // namespace tokenledger::log_keys
