#include "api/migrate_command.h"

#include <fstream>
#include <sstream>

#include "api/legacy_keys.h"
#include "api/offline_service.h"
#include "base/clock.h"
#include "ledger/sha256.h"
#include "projections/decide.h"

namespace tokenledger::api {

Result<MigrationReport> migrate_legacy_keys(const std::filesystem::path& data,
                                            const std::filesystem::path& file) {
  const LegacyKeyLimits limits;
  std::error_code size_error;
  const std::uintmax_t size = std::filesystem::file_size(file, size_error);
  if (size_error) return Status::invalid_argument("cannot read " + file.string());
  if (size > limits.file_size_max_bytes) {
    return Status::invalid_argument(file.string() + " is larger than " +
                                    std::to_string(limits.file_size_max_bytes) + " bytes");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::io_error("cannot read " + file.string());

  MigrationReport report;
  std::vector<LegacyKey> keys = parse_legacy_key_file(text.str(), limits, &report.problems);
  if (!report.problems.empty()) return report;

  Result<OfflineService> offline =
      open_offline(data, "then migrate through POST /customer/{id}/legacy_key");
  if (!offline.is_ok()) return offline.status();
  TokenService* service = offline->service.get();

  std::vector<MigrateLegacyKey> commands;
  for (LegacyKey& key : keys) {
    commands.push_back(MigrateLegacyKey{key.customer_id, sha256(key.key), key.created_at_ns,
                                        random_id(), random_id()});
    std::fill(key.key.begin(), key.key.end(), '\0');
  }
  // Every key is decided before any is written. Keys do not interact through the views: the
  // file names each key value once (parse_legacy_key_file), and a customer's second key joins
  // the synthetic user its first creates.
  const TimeNs now = system_clock_ns();
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const Decision decision = service->read([&](const Views& views) {
      return decide(views, Caller::operator_caller(), commands[i], now, service->policy());
    });
    if (const auto* rejection = std::get_if<Rejection>(&decision)) {
      report.problems.push_back("line " + std::to_string(keys[i].line) + ": " + rejection->name +
                                (rejection->detail.empty() ? "" : " (" + rejection->detail + ")"));
    }
  }
  if (!report.problems.empty()) {
    (void)service->stop();
    return report;
  }
  for (std::size_t i = 0; i < commands.size(); ++i) {
    Result<Executed> executed = service->execute(Caller::operator_caller(), commands[i]);
    if (!executed.is_ok()) return executed.status();
    if (executed->rejection) {
      return Status::invalid_argument("line " + std::to_string(keys[i].line) + ": " +
                                      executed->rejection->name);
    }
    if (executed->last_sequence == 0) {
      ++report.unchanged;
    } else {
      ++report.migrated;
    }
  }
  Status stopped = service->stop();
  if (!stopped.is_ok()) return stopped;
  return report;
}

}  // namespace tokenledger::api
