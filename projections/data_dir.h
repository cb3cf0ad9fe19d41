// The layout of a data directory (`--data DIR`), shared by `tokenledger` and the replay tool:
//   DIR/log/             the event log (RocksDB)
//   DIR/views.snapshot   the views' snapshot (derived; may be deleted at any time)
//   DIR/totp.key         the key that seals TOTP secrets (mode 0600; back it up with the log)
#pragma once

#include <filesystem>

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

}  // namespace tokenledger
