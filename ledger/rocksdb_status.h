// Private to the ledger: turns a RocksDB status into ours, keeping RocksDB's own text.
#pragma once

#include <rocksdb/status.h>

#include <string>

#include "base/status.h"

namespace tokenledger {

inline Status from_rocksdb(const rocksdb::Status& status, const std::string& what) {
  if (status.IsCorruption()) return Status::corruption(what + ": " + status.ToString());
  if (status.IsNotFound()) return Status::not_found(what + ": " + status.ToString());
  if (status.IsInvalidArgument()) return Status::invalid_argument(what + ": " + status.ToString());
  return Status::io_error(what + ": " + status.ToString());
}

}  // namespace tokenledger
