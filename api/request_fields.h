// Small parsers for values that arrive in requests: HTTP Basic credentials, the space-separated
// scope list, roles and booleans. Each is pure and total: bad input is a false return, never a
// crash (these are fuzzing targets too).
// Threading: pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace tokenledger::api {

// "Basic dXNlcjpwYXNz" -> user "user", password "pass". The scheme name is case-insensitive;
// the decoded text must hold a ':' (the password may contain more of them).
bool parse_basic_auth(std::string_view header, std::string* user, std::string* password);

// "global purge_select" -> {global, purge_select}. Spaces (forms send '+') separate; empty or
// all-space text means the default, global. False, with the unknown word in `unknown`, for a
// scope that does not exist.
bool parse_scopes(std::string_view text, std::vector<Scope>* scopes, std::string* unknown);

bool parse_role(std::string_view text, Role* role);

// "true"/"false", "1"/"0".
bool parse_bool(std::string_view text, bool* value);

}  // namespace tokenledger::api
