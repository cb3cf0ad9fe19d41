// Snapshots of the views, so that start-up does not replay the whole log every time
// (docs/adr/0007-views-and-snapshots.md): what the payload holds and how views are made from it.
// The file around it (framing, checksum, the staged write and rename) is snapshot_file.h. A
// snapshot records the sequence it covers and the hash of that record; loading checks both
// against the log, and the caller replays the records after it. Loading fills the views through
// Views::add_*, as apply() does, so every derived index is rebuilt by the code that keeps it.
//
// Writing is three steps, so that a server's commands wait only for the first, short one:
// - capture_snapshot, while the caller holds the views still (no command applying): the header,
//   customers, users and usage, and of every token the fields that change after creation (a
//   few bytes each, views.h);
// - finish_snapshot, while commands go on: the rest of each token, which never changes once
//   created, read through the capture's copy of the token table (the caller keeps the views
//   alive until then); then the image is flattened and checksummed;
// - store_snapshot, with no lock: the file written in pieces the disk takes as they come, so
//   that the log's own syncs meanwhile do not wait behind a large write (ADR 0007).
#pragma once

#include <capnp/common.h>
#include <kj/array.h>

#include <filesystem>
#include <memory>

#include "ledger/log.h"
#include "projections/views.h"

namespace capnp {
class MallocMessageBuilder;
}

namespace tokenledger {

// The views encoded as a snapshot file's payload, with its checksum.
struct SnapshotImage {
  kj::Array<capnp::word> words;
  Hash checksum{};
};

// Of one token, the fields that may change once it exists (views.h), as they were at capture.
struct TokenChanges {
  TimeNs ended_at_ns = no_time;
  TimeNs sudo_expires_at_ns = no_time;
  TokenState state = TokenState::live;
  RevokeReason revoke_reason = RevokeReason::owner;
};

// A snapshot half encoded: everything that can change, as it was at capture.
class SnapshotCapture {
 public:
  SnapshotCapture(SnapshotCapture&&) noexcept;
  ~SnapshotCapture();
  std::size_t token_count() const { return tokens_.size(); }

 private:
  friend class SnapshotAccess;
  SnapshotCapture(std::unique_ptr<capnp::MallocMessageBuilder> message,
                  std::vector<TokenChanges> changes, ChunkedVector<Token>::Frozen tokens);
  std::unique_ptr<capnp::MallocMessageBuilder> message_;  // all but the tokens
  std::vector<TokenChanges> changes_;                     // one per token, in order
  ChunkedVector<Token>::Frozen tokens_;
};

SnapshotCapture capture_snapshot(const Views& views);
// `head_hash` is the hash of the record the views end at: the caller reads it once that record
// is durable, after the capture (the capture need not wait for the disk).
SnapshotImage finish_snapshot(SnapshotCapture capture, const Hash& head_hash);
Status store_snapshot(const SnapshotImage& image, const std::filesystem::path& path);
// store_snapshot's two halves: the image written and synced beside `path` ("PATH.tmp"), then
// renamed into place (and the rename synced). TokenService records the snapshot in the log
// between the two, so that the file at `path` is always one the log records.
Status stage_snapshot(const SnapshotImage& image, const std::filesystem::path& path);
Status publish_snapshot(const std::filesystem::path& path);
// All three steps.
Status write_snapshot(const Views& views, const Hash& head_hash, const std::filesystem::path& path);

// Fills `views` (which must be empty) from the snapshot at `path`. not_found when there is no
// snapshot; corruption or unsupported when it cannot be used (the views may then be partly
// filled and must be discarded). The caller checks `*head_hash` against the log.
// `payload_sha256`, when given, receives the payload's checksum (what a SnapshotTaken record
// names).
Status load_snapshot(const std::filesystem::path& path, Views* views, Hash* head_hash,
                     Hash* payload_sha256 = nullptr);
// The same for a payload already read and checksummed (load_snapshot's second half; the
// snapshot fuzz target feeds it untrusted words).
Status load_snapshot_payload(kj::ArrayPtr<const capnp::word> payload, Views* views,
                             Hash* head_hash);

}  // namespace tokenledger
