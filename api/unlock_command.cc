#include "api/unlock_command.h"

#include "ledger/log.h"
#include "projections/data_dir.h"
#include "projections/token_service.h"

namespace tokenledger::api {

Result<UnlockReport> unlock_login(const std::filesystem::path& data, const std::string& login) {
  Result<std::size_t> restricted = restrict_data_directory(data);
  if (!restricted.is_ok()) return restricted.status();
  LogOptions log_options;
  log_options.path = log_path(data);
  log_options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) {
    if (log.status().code() != StatusCode::io_error) return log.status();
    // RocksDB's lock: the server holds the log.
    return Status::io_error(
        log.status().message() +
        " (is the server running? while it runs, a superuser of the user's customer ends the "
        "lock with PUT /user/{id} locked=false, or it ends by itself when its time is up)");
  }
  TokenServiceOptions options;
  options.snapshot_path = snapshot_path(data);
  Result<std::unique_ptr<TokenService>> service = TokenService::open(**log, options);
  if (!service.is_ok()) return service.status();
  UnlockReport report;
  report.user_id = (*service)->read([&](const Views& views) {
    const User* user = views.user_by_login(login);
    return user == nullptr ? std::string() : user->id;
  });
  Result<bool> unlocked = (*service)->unlock_login(login);
  if (!unlocked.is_ok()) {
    (void)(*service)->stop();
    return unlocked.status();
  }
  report.unlocked = *unlocked;
  Status stopped = (*service)->stop();
  if (!stopped.is_ok()) return stopped;
  return report;
}

}  // namespace tokenledger::api
