// The layout of a data directory (`--data DIR`), shared by `tokenledger` and the replay tool:
//   DIR/log/             the event log (RocksDB)
//   DIR/views.snapshot   the views' snapshot (derived; may be deleted at any time)
//   DIR/totp.key         the key that seals TOTP secrets (mode 0600; back it up with the log)
#pragma once

#include <filesystem>

#include "base/status.h"

namespace tokenledger {

inline std::filesystem::path log_path(const std::filesystem::path& data) {
  return data / "log";
}
inline std::filesystem::path snapshot_path(const std::filesystem::path& data) {
  return data / "views.snapshot";
}
inline std::filesystem::path sealing_key_path(const std::filesystem::path& data) {
  return data / "totp.key";
}

// A data directory holds argon2id hashes, secret digests and the sealing key: nobody but its
// owner reads it. Sets this process's file-creation mask to 077, so that every file created from
// now on (RocksDB's among them) is 0600 and every directory 0700, and tightens what is already
// there to those modes (a directory made by an older build, or under a looser umask). Returns
// how many modes it changed. For the commands that write a data directory; the replay tool's
// read-only commands change nothing.
Result<std::size_t> restrict_data_directory(const std::filesystem::path& data);

}  // namespace tokenledger
