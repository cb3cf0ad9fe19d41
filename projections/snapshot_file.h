// The snapshot file: its framing and its I/O, apart from what the payload means (snapshot.h).
//
//   "TLSNAP01" (8 bytes) | SHA-256 of the payload (32 bytes) | payload (Cap'n Proto words)
//
// Writing goes to PATH.tmp, in pieces the disk takes as they come, is synced, and is renamed into
// place (the rename synced too), so a crash leaves either the old file or the new one. Reading
// checks the size (at most snapshot_size_max_bytes), the magic and the checksum before anything
// is decoded.
// Threading: functions of one file each; the caller keeps two writers off one path.
#pragma once

#include <capnp/common.h>
#include <kj/array.h>

#include <filesystem>

#include "base/status.h"
#include "ledger/sha256.h"

namespace tokenledger {

// A snapshot larger than this is refused rather than read (about 40 million tokens).
inline constexpr std::uint64_t snapshot_size_max_bytes = 16ull << 30;

// Writes `payload` (whose SHA-256 is `checksum`) and syncs it beside `path` ("PATH.tmp").
Status stage_snapshot_file(kj::ArrayPtr<const capnp::word> payload, const Hash& checksum,
                           const std::filesystem::path& path);
// Renames the staged file into place and syncs the directory.
Status publish_snapshot_file(const std::filesystem::path& path);

// Reads the file at `path`: its payload, checked against the checksum it carries, which
// `*checksum` receives. not_found when there is none; corruption or unsupported when it is not a
// snapshot file this build reads.
Status read_snapshot_file(const std::filesystem::path& path, kj::Array<capnp::word>* payload,
                          Hash* checksum);

}  // namespace tokenledger
