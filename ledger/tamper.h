// Test support: damages a closed log on disk the ways an attacker or a broken disk might, by
// writing to its RocksDB directly (the Log itself never overwrites or deletes a record). Used by
// the verification tests here and by the replay tool's tests on copies of real data directories.
// Each function opens and closes the database; the log must not be open.
#pragma once

#include <cstdint>
#include <filesystem>

#include "base/status.h"

namespace tokenledger::testing {

// XORs one byte of a record's stored value with `mask` (offset counted from the end when
// negative, so that tests can aim at the payload rather than the segment table).
Status tamper_flip_byte(const std::filesystem::path& log_path, std::uint64_t sequence, long offset,
                        std::uint8_t mask = 0x01);
Status tamper_remove_record(const std::filesystem::path& log_path, std::uint64_t sequence);
Status tamper_swap_records(const std::filesystem::path& log_path, std::uint64_t a, std::uint64_t b);
// Deletes every record from `first_sequence` on, leaving the stored head as it was.
Status tamper_cut_tail(const std::filesystem::path& log_path, std::uint64_t first_sequence);
Status tamper_set_schema_version(const std::filesystem::path& log_path, std::uint16_t version);

}  // namespace tokenledger::testing
