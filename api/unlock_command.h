// `tokenledger unlock --data DIR --login EMAIL`: an operator ends a user's login lock (the
// throttle after failed password logins, docs/adr/0011-login-lockout.md) before its time, on
// the server's own machine. It is recorded as an event (login_unlocked, reason operator).
//
// It needs the log, which a running server holds: it then refuses, naming the lock, and says
// the two ways while the server runs (a superuser's PUT /user/{id} locked=false, which also ends
// a login lock, or waiting for the lock's end). A superuser's own lock (locked=true) is not a
// login lock; a superuser lifts it.
#pragma once

#include <filesystem>
#include <string>

#include "base/status.h"

namespace tokenledger::api {

struct UnlockReport {
  bool unlocked = false;  // false: the login's logins were not locked
  std::string user_id;
};

Result<UnlockReport> unlock_login(const std::filesystem::path& data, const std::string& login);

}  // namespace tokenledger::api
