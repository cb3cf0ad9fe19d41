// `tokenledger migrate-legacy --data DIR --file FILE`: migrates legacy account API keys of a
// stopped server's data directory (while the server runs, the same migration is
// POST /customer/{id}/legacy_key; docs/adr/0010-replay-and-migration.md). The whole file is
// validated first, then every key is decided against the current views before anything is
// written: a bad line or a refused key changes nothing. Re-running with the same file changes
// nothing and says so.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace tokenledger::api {

struct MigrationReport {
  std::size_t migrated = 0;           // keys that became tokens now
  std::size_t unchanged = 0;          // keys migrated before (idempotent re-run)
  std::vector<std::string> problems;  // "line N: ..." (nothing was written when non-empty)
};

Result<MigrationReport> migrate_legacy_keys(const std::filesystem::path& data,
                                            const std::filesystem::path& file);

}  // namespace tokenledger::api
