#include "api/init_command.h"

#include <vector>

#include "base/clock.h"
#include "ledger/log.h"
#include "projections/apply.h"
#include "projections/data_dir.h"
#include "projections/decide.h"
#include "projections/token_service.h"

namespace tokenledger::api {
namespace {

// Decides the commands against empty views first, so that a refused name or login stops init
// before anything is written (a half-done init could never be repeated).
Status dry_run(const std::vector<Command>& commands) {
  Views views;
  const TimeNs now = system_clock_ns();
  for (const Command& command : commands) {
    Decision decision = decide(views, Caller::operator_caller(), command, now);
    if (const auto* rejection = std::get_if<Rejection>(&decision)) {
      return Status::invalid_argument(std::string(command_name(command)) +
                                      " refused: " + rejection->name + " " + rejection->detail);
    }
    Status applied =
        apply_events(views, std::get<std::vector<Event>>(decision), views.sequence() + 1, now);
    if (!applied.is_ok()) return applied;
  }
  return Status::ok();
}

}  // namespace

Result<InitResult> initialize_data(const std::filesystem::path& data,
                                   std::string_view customer_name, std::string_view login,
                                   std::string_view password, const PasswordCost& cost) {
  Result<std::string> password_hash = hash_password(password, cost);
  if (!password_hash.is_ok()) return password_hash.status();
  const InitResult result{random_id(), random_id()};
  const std::vector<Command> commands = {
      CreateCustomer{result.customer_id, std::string(customer_name)},
      CreateUser{result.user_id, result.customer_id, std::string(login), std::string(login),
                 Role::superuser, *password_hash},
  };
  Status valid = dry_run(commands);
  if (!valid.is_ok()) return valid;

  std::error_code error;
  std::filesystem::create_directories(log_path(data), error);
  if (error)
    return Status::io_error("cannot create " + log_path(data).string() + ": " + error.message());
  Result<std::size_t> restricted = restrict_data_directory(data);
  if (!restricted.is_ok()) return restricted.status();
  Result<SealingKey> key = SealingKey::load_or_create(sealing_key_path(data));
  if (!key.is_ok()) return key.status();

  LogOptions log_options;
  log_options.path = log_path(data);
  Result<std::unique_ptr<Log>> log = Log::open(log_options);
  if (!log.is_ok()) return log.status();
  if ((*log)->head().sequence != 0) {
    return Status::invalid_argument("the log in " + data.string() + " already holds " +
                                    std::to_string((*log)->head().sequence) +
                                    " records: init runs once, on a new data directory");
  }
  TokenServiceOptions options;
  options.snapshot_path = snapshot_path(data);
  Result<std::unique_ptr<TokenService>> service = TokenService::open(**log, options);
  if (!service.is_ok()) return service.status();
  for (const Command& command : commands) {
    Result<Executed> executed = (*service)->execute(Caller::operator_caller(), command);
    if (!executed.is_ok()) return executed.status();
    if (executed->rejection) {
      return Status::invalid_argument(std::string(command_name(command)) +
                                      " refused: " + executed->rejection->name + " " +
                                      executed->rejection->detail);
    }
  }
  Status stopped = (*service)->stop();
  if (!stopped.is_ok()) return stopped;
  service->reset();
  Status closed = (*log)->close();
  if (!closed.is_ok()) return closed;
  return result;
}

}  // namespace tokenledger::api
