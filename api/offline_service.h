// A stopped server's data directory, opened for one operator command that writes it
// (`tokenledger migrate-legacy`, `tokenledger unlock`): restricted to its owner
// (restrict_data_directory), its log opened for writing, and a TokenService over it that loads
// and, when stopped, writes the directory's snapshot. RocksDB admits one writer: while a server
// holds the log this is refused with io_error, naming the lock and ending with `while_serving`,
// the command's way to do the same through the running server.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "ledger/log.h"
#include "projections/token_service.h"

namespace tokenledger::api {

struct OfflineService {
  std::unique_ptr<Log> log;  // declared first: destroyed after the service that uses it
  std::unique_ptr<TokenService> service;
};

Result<OfflineService> open_offline(const std::filesystem::path& data,
                                    std::string_view while_serving);

}  // namespace tokenledger::api
