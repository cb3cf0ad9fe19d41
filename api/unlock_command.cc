#include "api/unlock_command.h"

#include "api/offline_service.h"

namespace tokenledger::api {

Result<UnlockReport> unlock_login(const std::filesystem::path& data, const std::string& login) {
  Result<OfflineService> offline = open_offline(
      data,
      "while it runs, a superuser of the user's customer ends the lock with PUT /user/{id} "
      "locked=false, or it ends by itself when its time is up");
  if (!offline.is_ok()) return offline.status();
  TokenService& service = *offline->service;
  UnlockReport report;
  Result<bool> unlocked = service.unlock_login(login, &report.user_id);
  if (!unlocked.is_ok()) {
    (void)service.stop();
    return unlocked.status();
  }
  report.unlocked = *unlocked;
  Status stopped = service.stop();
  if (!stopped.is_ok()) return stopped;
  return report;
}

}  // namespace tokenledger::api
