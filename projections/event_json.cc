#include "projections/event_json.h"

#include "base/rfc3339.h"

namespace tokenledger {
namespace {

void optional_string(JsonWriter& json, const char* name, const std::optional<std::string>& value) {
  json.key(name).optional_string(value);
}

void time_field(JsonWriter& json, const char* name, std::optional<TimeNs> value) {
  json.key(name);
  if (value) {
    json.string(format_rfc3339(*value));
  } else {
    json.null();
  }
}

struct FieldWriter {
  JsonWriter& json;

  void operator()(const CustomerCreated& e) {
    json.key("customer_id").string(e.customer_id).key("name").string(e.name);
  }
  void operator()(const UserCreated& e) {
    json.key("user_id").string(e.user_id).key("customer_id").string(e.customer_id);
    json.key("login").string(e.login).key("name").string(e.name);
    json.key("role").string(role_name(e.role)).key("kind").string(user_kind_name(e.kind));
    json.key("password_set").boolean(e.password_hash.has_value());
  }
  void operator()(const UserUpdated& e) {
    json.key("user_id").string(e.user_id);
    if (e.name) json.key("name").string(*e.name);
    if (e.role) json.key("role").string(role_name(*e.role));
    if (e.locked) {
      json.key("locked").boolean(*e.locked);
      json.key("lock_reason").string(lock_reason_name(e.lock_reason));
    }
    if (std::holds_alternative<SealedSecret>(e.two_factor)) {
      json.key("two_factor").string("enabled");
    } else if (std::holds_alternative<TwoFactorDisabled>(e.two_factor)) {
      json.key("two_factor").string("disabled");
    }
    if (e.one_time_password_step != 0) {
      json.key("one_time_password_step")
          .number(static_cast<std::int64_t>(e.one_time_password_step));
    }
  }
  void operator()(const PasswordChanged& e) { json.key("user_id").string(e.user_id); }
  void operator()(const UserDeleted& e) {
    json.key("user_id").string(e.user_id).key("forced").boolean(e.forced);
  }
  void operator()(const LoginFailed& e) {
    json.key("user_id").string(e.user_id);
    json.key("reason").string(login_failure_reason_name(e.reason));
    json.key("consecutive_failures").number(e.consecutive_failures);
  }
  void operator()(const TokenCreated& e) {
    json.key("token_id").string(e.token_id).key("user_id").string(e.user_id);
    json.key("customer_id").string(e.customer_id).key("name").string(e.name);
    json.key("scopes").begin_array();
    for (Scope scope : e.scopes) json.string(scope_name(scope));
    json.end_array();
    json.key("services").begin_array();
    for (const std::string& service : e.services) json.string(service);
    json.end_array();
    time_field(json, "expires_at", e.expires_at_ns);
    json.key("secret_sha256").string(hash_to_hex(e.secret_sha256));
    json.key("origin").string(token_origin_name(e.origin));
    time_field(json, "created_at", e.created_at_ns);
  }
  void operator()(const TokenRevoked& e) {
    json.key("token_id").string(e.token_id);
    optional_string(json, "revoked_by_user_id", e.revoked_by_user_id);
    json.key("reason").string(revoke_reason_name(e.reason));
  }
  void operator()(const TokenExpired& e) {
    json.key("token_id").string(e.token_id);
    time_field(json, "expires_at", e.expires_at_ns);
  }
  void operator()(const TokenUsed& e) {
    json.key("token_id").string(e.token_id);
    time_field(json, "last_used_at", e.last_used_at_ns);
    optional_string(json, "client_ip", e.client_ip);
    optional_string(json, "user_agent", e.user_agent);
    json.key("use_count").number(static_cast<std::int64_t>(e.use_count));
  }
  void operator()(const LegacyKeyMigrated& e) {
    json.key("customer_id").string(e.customer_id).key("user_id").string(e.user_id);
    json.key("token_id").string(e.token_id);
  }
  void operator()(const LoginSucceeded& e) {
    json.key("user_id").string(e.user_id);
    json.key("one_time_password_used").boolean(e.one_time_password_used);
    if (e.one_time_password_step != 0) {
      json.key("one_time_password_step")
          .number(static_cast<std::int64_t>(e.one_time_password_step));
    }
  }
  void operator()(const LoginLocked& e) {
    json.key("user_id").string(e.user_id);
    time_field(json, "until", e.until_ns);
    json.key("failures").number(e.failures);
  }
  void operator()(const LoginUnlocked& e) {
    json.key("user_id").string(e.user_id).key("reason").string(unlock_reason_name(e.reason));
  }
  void operator()(const SnapshotTaken& e) {
    json.key("covers_sequence").number(static_cast<std::int64_t>(e.covers_sequence));
    json.key("payload_sha256").string(hash_to_hex(e.payload_sha256));
  }
  void operator()(const SudoGranted& e) {
    json.key("token_id").string(e.token_id).key("user_id").string(e.user_id);
    time_field(json, "expires_at", e.expires_at_ns);
  }
};

struct SubjectFinder {
  EventSubjects& out;
  void operator()(const CustomerCreated& e) { out.customer_ids.push_back(e.customer_id); }
  void operator()(const UserCreated& e) {
    out.user_ids.push_back(e.user_id);
    out.customer_ids.push_back(e.customer_id);
  }
  void operator()(const UserUpdated& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const PasswordChanged& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const UserDeleted& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const LoginFailed& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const TokenCreated& e) {
    out.token_ids.push_back(e.token_id);
    out.user_ids.push_back(e.user_id);
    out.customer_ids.push_back(e.customer_id);
    out.secret_sha256 = &e.secret_sha256;
  }
  void operator()(const TokenRevoked& e) {
    out.token_ids.push_back(e.token_id);
    if (e.revoked_by_user_id) out.user_ids.push_back(*e.revoked_by_user_id);
  }
  void operator()(const TokenExpired& e) { out.token_ids.push_back(e.token_id); }
  void operator()(const TokenUsed& e) { out.token_ids.push_back(e.token_id); }
  void operator()(const LegacyKeyMigrated& e) {
    out.customer_ids.push_back(e.customer_id);
    out.user_ids.push_back(e.user_id);
    out.token_ids.push_back(e.token_id);
  }
  void operator()(const LoginSucceeded& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const LoginLocked& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const LoginUnlocked& e) { out.user_ids.push_back(e.user_id); }
  void operator()(const SnapshotTaken&) {}
  void operator()(const SudoGranted& e) {
    out.token_ids.push_back(e.token_id);
    out.user_ids.push_back(e.user_id);
  }
};

}  // namespace

void write_event_fields(JsonWriter& json, const EventBody& body) {
  json.begin_object();
  std::visit(FieldWriter{json}, body);
  json.end_object();
}

void write_record_json(JsonWriter& json, const Record& record, const Hash& record_hash) {
  const Actor& actor = record.event.actor;
  json.begin_object();
  json.key("sequence").number(static_cast<std::int64_t>(record.sequence));
  json.key("recorded_at").string(format_rfc3339(record.recorded_at_ns));
  json.key("kind").string(event_kind_name(record.event.body));
  json.key("actor").begin_object();
  optional_string(json, "user_id", actor.user_id);
  optional_string(json, "token_id", actor.token_id);
  optional_string(json, "client_ip", actor.client_ip);
  optional_string(json, "user_agent", actor.user_agent);
  optional_string(json, "request_id", actor.request_id);
  json.end_object();
  json.key("fields");
  write_event_fields(json, record.event.body);
  json.key("prev_hash").string(hash_to_hex(record.prev_hash));
  json.key("hash").string(hash_to_hex(record_hash));
  json.end_object();
}

EventSubjects event_subjects(const EventBody& body) {
  EventSubjects subjects;
  std::visit(SubjectFinder{subjects}, body);
  return subjects;
}

}  // namespace tokenledger
