#include "projections/render.h"

#include "base/rfc3339.h"

namespace tokenledger {
namespace {

void time_or_null(JsonWriter& json, TimeNs time_ns) {
  if (time_ns == no_time) {
    json.null();
  } else {
    json.string(format_rfc3339(time_ns));
  }
}

void write_services(JsonWriter& json, const Token& token) {
  json.key("services").begin_array();
  for (const std::string& service : token.services) json.string(service);
  json.end_array();
  json.key("service_id");
  if (token.services.empty()) {
    json.null();
  } else {
    json.string(token.services.back());
  }
}

// The token object's fields, without its braces.
void write_token_fields(JsonWriter& json, const Views& views, TokenIndex index) {
  const Token& token = views.token(index);
  const TokenUsage* usage = views.usage(index);
  json.key("id").string(token_id_view(token.id));
  json.key("user_id").string(views.user(token.user).id);
  json.key("customer_id").string(views.customer(token.customer).id);
  json.key("name").string(token.name);
  json.key("last_used_at");
  time_or_null(json, usage != nullptr ? usage->last_used_at_ns : no_time);
  json.key("created_at");
  time_or_null(json, token.created_at_ns);
  json.key("expires_at");
  time_or_null(json, token.expires_at_ns);
  json.key("ip");
  if (usage != nullptr && !usage->client_ip.empty())
    json.string(usage->client_ip);
  else
    json.null();
  json.key("user_agent");
  if (usage != nullptr && !usage->user_agent.empty())
    json.string(usage->user_agent);
  else
    json.null();
  json.key("sudo_expires_at");
  time_or_null(json, token.sudo_expires_at_ns);
  json.key("scopes").begin_array();
  for (Scope scope : scope_list(token.scopes)) json.string(scope_name(scope));
  json.end_array();
  json.key("scope").string(scope_string(token.scopes));
  write_services(json, token);
}

}  // namespace

void write_token(JsonWriter& json, const Views& views, TokenIndex index) {
  json.begin_object();
  write_token_fields(json, views, index);
  json.end_object();
}

void write_audited_token(JsonWriter& json, const Views& views, TokenIndex index) {
  const Token& token = views.token(index);
  json.begin_object();
  write_token_fields(json, views, index);
  json.key("login").string(views.user(token.user).login);
  json.key("origin").string(token_origin_name(token.origin));
  json.end_object();
}

void write_created_token(JsonWriter& json, const Views& views, TokenIndex index,
                         std::string_view access_token) {
  const Token& token = views.token(index);
  json.begin_object();
  json.key("id").string(token_id_view(token.id));
  json.key("name").string(token.name);
  json.key("user_id").string(views.user(token.user).id);
  json.key("customer_id").string(views.customer(token.customer).id);
  json.key("expires_at");
  time_or_null(json, token.expires_at_ns);
  json.key("created_at");
  time_or_null(json, token.created_at_ns);
  json.key("updated_at");
  time_or_null(json, token.created_at_ns);
  json.key("scope").string(scope_string(token.scopes));
  write_services(json, token);
  json.key("access_token").string(access_token);
  json.end_object();
}

void write_user(JsonWriter& json, const User& user, const Customer& customer) {
  json.begin_object();
  json.key("id").string(user.id);
  json.key("login").string(user.login);
  json.key("name").string(user.name);
  json.key("role").string(role_name(user.role));
  json.key("customer_id").string(customer.id);
  json.key("locked").boolean(user.locked);
  json.key("two_factor_auth_enabled").boolean(user.two_factor.has_value());
  json.key("created_at");
  time_or_null(json, user.created_at_ns);
  json.key("updated_at");
  time_or_null(json, user.updated_at_ns);
  json.key("deleted_at");
  time_or_null(json, user.deleted ? user.updated_at_ns : no_time);
  json.end_object();
}

void write_verify(JsonWriter& json, const Token& token, const User& user,
                  const Customer& customer) {
  json.begin_object();
  json.key("customer").begin_object();
  json.key("id").string(customer.id).key("name").string(customer.name);
  json.end_object();
  json.key("user").begin_object();
  json.key("id").string(user.id).key("name").string(user.name).key("login").string(user.login);
  json.end_object();
  json.key("services").begin_object().end_object();
  json.key("token").begin_object();
  json.key("id").string(token_id_view(token.id)).key("name").string(token.name);
  json.key("created_at");
  time_or_null(json, token.created_at_ns);
  json.key("expires_at");
  time_or_null(json, token.expires_at_ns);
  json.key("scope").string(scope_string(token.scopes));
  json.end_object();
  json.end_object();
}

}  // namespace tokenledger
