// Legacy account keys: POST /customer/{id}/legacy_key, the running server's way to migrate one
// (tokenledger migrate-legacy does it with the server stopped).
#include "api/api.h"
#include "api/legacy_keys.h"
#include "base/rfc3339.h"
#include "ledger/sha256.h"
#include "projections/read_rules.h"
#include "projections/render.h"

namespace tokenledger::api {
HttpResponse Api::migrate_legacy_key(const Request& request) {
  // The running server's way to migrate a legacy key (the command line needs it stopped): a
  // superuser of that customer, with a global, unlimited token.
  std::optional<Principal> caller;
  HttpResponse refused = with_key(request, needs(Access::user_management, true),
                                  [&](const Authenticated& who, const Views&) {
                                    if (who.customer->id != request.id) {
                                      return not_found("no such customer");
                                    }
                                    caller = principal_of(who);
                                    return HttpResponse{};
                                  });
  if (!caller) return refused;
  Form form;
  if (auto bad = parse_fields(request, &form)) return std::move(*bad);
  // A migrated key is a global superuser token whose secret the caller chose: minting one asks
  // for what creating a token with a key asks, sudo or the password, so that a stolen token
  // alone cannot make itself a spare.
  if (!sudo_active(caller->sudo_expires_at_ns, service_.now())) {
    const std::string_view password = form.first("password").value_or("");
    if (password.empty()) {
      return error_response(403, "forbidden",
                            "migrating a key needs sudo (POST /sudo) or the password");
    }
    if (auto wrong = recheck_password(*caller, password, request, "password is not correct")) {
      return std::move(*wrong);
    }
  }
  const std::string_view key = form.first("key").value_or("");
  TimeNs created_at = 0;
  if (!legacy_key_form_ok(key)) {
    return error_response(400, "Bad request",
                          "key must be " + std::to_string(legacy_key_size_min_bytes) + " to " +
                              std::to_string(key_size_max_bytes) +
                              " printable ASCII characters without spaces");
  }
  if (!parse_rfc3339(form.first("created_at").value_or(""), &created_at)) {
    return error_response(400, "Bad request", "created_at must be an RFC 3339 time");
  }
  const Hash key_sha256 = sha256(key);
  auto done = run(request, caller_of(*caller, request),
                  MigrateLegacyKey{request.id, key_sha256, created_at, random_id(), random_id()});
  if (auto* failed = std::get_if<HttpResponse>(&done)) return std::move(*failed);
  return service_.read([&](const Views& views) {
    const Token* token = views.token_by_secret(key_sha256);
    // Gone again only when its write failed and the views were rebuilt meanwhile.
    if (token == nullptr) return storage_failure(Status::write_stopped("the key's write failed"));
    JsonWriter json;
    write_token(json, views, views.index_of(*token));
    return json_response(200, json.take());
  });
}

}  // namespace tokenledger::api
