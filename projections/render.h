// The JSON objects of tokens and users (docs/api.md, "Objects"), rendered from the views, once
// for the server and the replay tool: the token object (lists, self, by id), the
// token-creation response (with the secret, once), the user object, the /verify answer.
// Timestamps are RFC 3339 UTC with whole seconds and "Z"; absent values are null. The caller
// holds the views' read lock.
#pragma once

#include <string>
#include <string_view>

#include "base/json_writer.h"
#include "projections/views.h"

namespace tokenledger {

// {"id","user_id","customer_id","name","last_used_at","created_at","expires_at","ip",
//  "user_agent","sudo_expires_at","scopes","scope","services","service_id"}
void write_token(JsonWriter& json, const Views& views, TokenIndex index);

// The token object as the audit tools print it: the fields above, then "login" (the owner's)
// and "origin" ("api" or "legacy_migration").
void write_audited_token(JsonWriter& json, const Views& views, TokenIndex index);

// The POST /tokens answer: the token's fields and "access_token", the only place the secret
// ever appears.
void write_created_token(JsonWriter& json, const Views& views, TokenIndex index,
                         std::string_view access_token);

// {"id","login","name","role","customer_id","locked","two_factor_auth_enabled",
//  "created_at","updated_at","deleted_at"}
void write_user(JsonWriter& json, const User& user, const Customer& customer);

// The GET /verify answer: {"customer":{"id","name"},"user":{"id","name","login"},
//  "services":{},"token":{"id","name","created_at","expires_at","scope"}}
void write_verify(JsonWriter& json, const Token& token, const User& user, const Customer& customer);

}  // namespace tokenledger
