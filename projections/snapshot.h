// Snapshots of the views, so that start-up does not replay the whole log every time
// (docs/adr/0007-views-and-snapshots.md). A snapshot records the sequence it covers and the
// hash of that record; loading checks both against the log, and the caller replays the records
// after it. Writing goes to a temporary file, is synced, and renamed into place, so a crash
// leaves either the old snapshot or the new one.
//
// Writing is two steps, so that a server can let commands go on while the file is written:
// encode_snapshot reads the views (the caller holds them still: at least a shared lock, and no
// command applying), store_snapshot writes the encoded image (no lock needed).
#pragma once

#include <capnp/common.h>
#include <kj/array.h>

#include <filesystem>

#include "ledger/log.h"
#include "projections/views.h"

namespace tokenledger {

// The views encoded as a snapshot file's payload, with its checksum.
struct SnapshotImage {
  kj::Array<capnp::word> words;
  Hash checksum{};
};

SnapshotImage encode_snapshot(const Views& views, const Hash& head_hash);
Status store_snapshot(const SnapshotImage& image, const std::filesystem::path& path);
// Both steps at once.
Status write_snapshot(const Views& views, const Hash& head_hash, const std::filesystem::path& path);

// Fills `views` (which must be empty) from the snapshot at `path`. not_found when there is no
// snapshot; corruption or unsupported when it cannot be used (the views are then left empty).
// The caller checks `*head_hash` against the log.
Status load_snapshot(const std::filesystem::path& path, Views* views, Hash* head_hash);

}  // namespace tokenledger
