#include "api/offline_service.h"

#include "projections/data_dir.h"

namespace tokenledger::api {

Result<OfflineService> open_offline(const std::filesystem::path& data,
                                    std::string_view while_serving) {
  Result<std::size_t> restricted = restrict_data_directory(data);
  if (!restricted.is_ok()) return restricted.status();
  LogOptions log_options;
  log_options.path = log_path(data);
  log_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) {
    if (log.status().code() != StatusCode::io_error) return log.status();
    // RocksDB's lock: the server holds the log.
    return Status::io_error(log.status().message() + " (is the server running? " +
                            std::string(while_serving) + ")");
  }
  OfflineService offline;
  offline.log = std::move(log).value();
  TokenServiceOptions options;
  options.snapshot_path = snapshot_path(data);
  Result<std::unique_ptr<TokenService>> service = TokenService::open(*offline.log, options);
  if (!service.is_ok()) return service.status();
  offline.service = std::move(service).value();
  return offline;
}

}  // namespace tokenledger::api
