// The authorization matrix: every endpoint crossed with every kind of caller, each cell the
// exact status the rules give (docs/api.md, "2.2 Authentication and authorization" and
// "2.3 Errors"). The expected table below is the documentation: docs/authorization.md is
// rendered from it (TOKENLEDGER_AUTHZ_DOC=path writes it), and a test checks that the committed
// page matches, so the two cannot drift.
#include <fstream>
#include <sstream>

#include "api/api_test_fixture.h"

namespace tokenledger::api::testing {
namespace {

// Whose key a column presents, and in what state.
enum class Holder { nobody, stranger, engineer, peer, superuser, other_superuser };
enum class KeyState { live, revoked, expired };

struct Column {
  const char* name;
  const char* description;
  Holder holder;
  KeyState state;
  std::vector<Scope> scopes;
  std::vector<std::string> services;
};

// Callers, in column order. `nobody` sends no key; `stranger` a key no token has.
const std::vector<Column> callers = {
    {"none", "no Fastly-Key", Holder::nobody, KeyState::live, {}, {}},
    {"unknown", "a key no token has", Holder::stranger, KeyState::live, {}, {}},
    {"revoked", "a revoked token's key", Holder::engineer, KeyState::revoked, {Scope::global}, {}},
    {"expired",
     "a token past expires_at (expiry not yet recorded)",
     Holder::engineer,
     KeyState::expired,
     {Scope::global},
     {}},
    {"eng", "engineer, global", Holder::engineer, KeyState::live, {Scope::global}, {}},
    {"eng-read",
     "engineer, global:read",
     Holder::engineer,
     KeyState::live,
     {Scope::global_read},
     {}},
    {"eng-purge",
     "engineer, purge_select",
     Holder::engineer,
     KeyState::live,
     {Scope::purge_select},
     {}},
    {"eng-purge-all",
     "engineer, purge_all",
     Holder::engineer,
     KeyState::live,
     {Scope::purge_all},
     {}},
    {"eng-combined",
     "engineer, global:read + purge_all",
     Holder::engineer,
     KeyState::live,
     {Scope::global_read, Scope::purge_all},
     {}},
    {"eng-svc",
     "engineer, global, limited to service svc1",
     Holder::engineer,
     KeyState::live,
     {Scope::global},
     {"svc1"}},
    {"owner-peer",
     "engineer, global, owner of the target token",
     Holder::peer,
     KeyState::live,
     {Scope::global},
     {}},
    {"su", "superuser, global", Holder::superuser, KeyState::live, {Scope::global}, {}},
    {"su-read",
     "superuser, global:read",
     Holder::superuser,
     KeyState::live,
     {Scope::global_read},
     {}},
    {"su-svc",
     "superuser, global, limited to service svc1",
     Holder::superuser,
     KeyState::live,
     {Scope::global},
     {"svc1"}},
    {"su-other",
     "superuser of another customer, global",
     Holder::other_superuser,
     KeyState::live,
     {Scope::global},
     {}},
};

struct Endpoint {
  const char* label;  // method and path as documented
  const char* method;
  const char* path;  // {peer_token}, {foreign_token}, {customer}, {peer_user}
  const char* body;  // {own_extra}, {password}
};

const std::vector<Endpoint> endpoints = {
    {"GET /tokens", "GET", "/tokens", ""},
    {"GET /tokens/self", "GET", "/tokens/self", ""},
    {"GET /tokens/{id} (a peer's token)", "GET", "/tokens/{peer_token}", ""},
    {"GET /tokens/{id} (another customer's)", "GET", "/tokens/{foreign_token}", ""},
    {"GET /customer/{id}/tokens", "GET", "/customer/{customer}/tokens", ""},
    {"DELETE /tokens/{id} (a peer's token)", "DELETE", "/tokens/{peer_token}", ""},
    {"DELETE /tokens/{id} (another customer's)", "DELETE", "/tokens/{foreign_token}", ""},
    {"DELETE /tokens/self", "DELETE", "/tokens/self", ""},
    {"DELETE /tokens (bulk, own token)", "DELETE", "/tokens",
     R"({"data":[{"type":"token","id":"{own_extra}"}]})"},
    {"POST /tokens (key + password)", "POST", "/tokens", "name=m&password={password}"},
    {"POST /sudo", "POST", "/sudo", "password={password}"},
    {"GET /current_user", "GET", "/current_user", ""},
    {"GET /user/{id} (a peer)", "GET", "/user/{peer_user}", ""},
    {"GET /customer/{id}/users", "GET", "/customer/{customer}/users", ""},
    {"POST /user", "POST", "/user", "login={new_login}&password=new-password-1"},
    {"PUT /user/{id} (a peer)", "PUT", "/user/{peer_user}", "name=Renamed"},
    {"GET /verify", "GET", "/verify", ""},
    {"DELETE /user/{id} (a user without tokens)", "DELETE", "/user/{fresh_user}", ""},
    {"POST /current_user/password (same password again)", "POST", "/current_user/password",
     "old_password={password}&new_password={password}"},
    {"POST /current_user/two_factor/confirm (none pending)", "POST",
     "/current_user/two_factor/confirm", "otp=000000"},
    {"POST /current_user/two_factor (enrol)", "POST", "/current_user/two_factor",
     "password={password}"},
    {"DELETE /current_user/two_factor (not enabled)", "DELETE", "/current_user/two_factor",
     "password={password}&otp=000000"},
    {"DELETE /user/{id}/two_factor (a peer, not enabled)", "DELETE", "/user/{peer_user}/two_factor",
     ""},
    {"POST /customer/{id}/legacy_key", "POST", "/customer/{customer}/legacy_key",
     "key={legacy_key}&created_at=2016-04-01T10:00:00Z&password={password}"},
};

// Expected statuses: one row per endpoint, one column per caller, in the orders above.
// clang-format off
const std::vector<std::vector<int>> expected = {
  //       none unkn revk expd eng  rd   purg pall comb svc  ownr su   suR  suSv suOt
  /* GET /tokens            */ {401, 401, 401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200, 200, 200},
  /* GET /tokens/self       */ {401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
  /* GET peer token         */ {401, 401, 401, 401, 404, 404, 403, 403, 404, 404, 200, 200, 200, 200, 404},
  /* GET foreign token      */ {401, 401, 401, 401, 404, 404, 403, 403, 404, 404, 404, 404, 404, 404, 200},
  /* GET customer tokens    */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 404},
  /* DELETE peer token      */ {401, 401, 401, 401, 404, 403, 403, 403, 403, 404, 204, 204, 403, 204, 404},
  /* DELETE foreign token   */ {401, 401, 401, 401, 404, 403, 403, 403, 403, 404, 404, 404, 403, 404, 204},
  /* DELETE /tokens/self    */ {401, 401, 401, 401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204},
  /* DELETE /tokens bulk    */ {401, 401, 401, 401, 204, 403, 403, 403, 403, 204, 204, 204, 403, 204, 204},
  /* POST /tokens key+pw    */ {400, 401, 401, 401, 200, 403, 403, 403, 403, 200, 200, 200, 403, 200, 200},
  /* POST /sudo             */ {401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
  /* GET /current_user      */ {401, 401, 401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200, 200, 200},
  /* GET /user/{peer}       */ {401, 401, 401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200, 200, 404},
  /* GET customer users     */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 404},
  /* POST /user             */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 200},
  /* PUT /user/{peer}       */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 404},
  /* GET /verify            */ {401, 401, 401, 401, 200, 200, 403, 403, 200, 200, 200, 200, 200, 200, 200},
  /* DELETE /user/{fresh}   */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 204, 403, 403, 404},
  /* POST password          */ {401, 401, 401, 401, 200, 403, 403, 403, 403, 200, 200, 200, 403, 200, 200},
  /* POST 2fa confirm       */ {401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 404, 404, 403, 403, 404},
  /* POST 2fa enrol         */ {401, 401, 401, 401, 200, 403, 403, 403, 403, 403, 200, 200, 403, 403, 200},
  /* DELETE 2fa             */ {401, 401, 401, 401, 409, 403, 403, 403, 403, 403, 409, 409, 403, 403, 409},
  /* DELETE user 2fa        */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 409, 403, 403, 404},
  /* POST legacy_key        */ {401, 401, 401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 404},
};
// clang-format on

class AuthorizationMatrix : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    other_customer_ = random_id();
    execute(tokenledger::Caller::operator_caller(), CreateCustomer{other_customer_, "Other"});
    eng_ = add_user("eng@example.com", Role::engineer, "eng-password-1");
    peer_ = add_user("peer@example.com", Role::engineer, "peer-password-1");
    other_su_ = add_user("boss@other.example", Role::superuser, "boss-password-1", other_customer_);
  }

  // A fresh token of `user` (never used before, so every cell starts from the same state).
  std::string token(const std::string& user, std::vector<Scope> scopes,
                    std::vector<std::string> services = {}, std::string* id_out = nullptr,
                    std::optional<TimeNs> expires = std::nullopt) {
    const std::string secret = random_token_secret();
    const std::string id = random_id();
    execute(tokenledger::Caller::user_caller(user),
            CreateToken{id, sha256(secret), user, "t", std::move(scopes), std::move(services),
                        expires});
    if (id_out != nullptr) *id_out = id;
    return secret;
  }

  struct Account {
    std::string user_id;
    std::string password;
  };
  Account account(Holder holder) const {
    switch (holder) {
      case Holder::engineer:
        return {eng_, "eng-password-1"};
      case Holder::peer:
        return {peer_, "peer-password-1"};
      case Holder::superuser:
        return {root_, "root-password"};
      case Holder::other_superuser:
        return {other_su_, "boss-password-1"};
      case Holder::nobody:
      case Holder::stranger:
        break;
    }
    return {"", "x"};
  }

  // The column's key (empty for none), made fresh for the cell. The peer's column presents the
  // very token the "peer's token" rows aim at, so that it is the owner acting.
  std::string key_of(const Column& column, const std::string& peer_token_secret) {
    if (column.holder == Holder::nobody) return "";
    if (column.holder == Holder::stranger) return random_token_secret();
    if (column.holder == Holder::peer) return peer_token_secret;
    const std::string user = account(column.holder).user_id;
    std::string id;
    std::optional<TimeNs> expires;
    if (column.state == KeyState::expired) expires = now_.load() + second_ns;
    const std::string key = token(user, column.scopes, column.services, &id, expires);
    if (column.state == KeyState::revoked) {
      execute(tokenledger::Caller::user_caller(user), RevokeToken{id});
    }
    return key;
  }

  int cell(const Endpoint& endpoint, const Column& caller) {
    std::string peer_token;
    std::string foreign_token;
    const std::string peer_secret = token(peer_, {Scope::global}, {}, &peer_token);
    token(other_su_, {Scope::global}, {}, &foreign_token);
    const std::string key = key_of(caller, peer_secret);
    const Account who = account(caller.holder);
    // The bulk revoke aims at a token of the caller's own user (the engineer's for callers
    // without a user of their own).
    std::string own_extra;
    token(who.user_id.empty() ? eng_ : who.user_id, {Scope::global}, {}, &own_extra);
    if (caller.state == KeyState::expired) now_ += 2 * second_ns;
    std::string path = endpoint.path;
    std::string body = endpoint.body;
    const auto replace = [](std::string& text, const std::string& from, const std::string& to) {
      for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from)) {
        text.replace(at, from.size(), to);
      }
    };
    replace(path, "{peer_token}", peer_token);
    replace(path, "{foreign_token}", foreign_token);
    replace(path, "{customer}", customer_);
    replace(path, "{peer_user}", peer_);
    replace(body, "{own_extra}", own_extra);
    replace(body, "{password}", who.password);
    replace(body, "{new_login}", random_id() + "%40example.com");
    if (path.find("{fresh_user}") != std::string::npos) {
      replace(path, "{fresh_user}",
              add_user(random_id() + "@example.com", Role::user, "fresh-password-1"));
    }
    replace(body, "{legacy_key}", "legacy-" + random_id());
    std::vector<Header> headers;
    if (body.starts_with("{")) headers.push_back({"content-type", "application/json"});
    if (!key.empty()) headers.push_back({"fastly-key", key});
    return call(endpoint.method, path, headers, body).status;
  }

  std::string other_customer_;
  std::string eng_;
  std::string peer_;
  std::string other_su_;
};

std::string render_markdown() {
  std::ostringstream out;
  out << "# Authorization matrix\n\n"
      << "Every endpoint crossed with every kind of caller, and the exact status each gets. This "
         "page is\nrendered from the table in `api/authorization_matrix_test.cc`, which checks "
         "every cell against\nthe running handlers (`TOKENLEDGER_AUTHZ_DOC=docs/authorization.md "
         "./build/api/api_test\n--gtest_filter='AuthorizationMatrix.*'` rewrites it).\n\n"
      << "The customer is ours unless a row says otherwise; \"a peer\" is another engineer of "
         "our customer;\n\"another customer's\" token belongs to the other customer, so for "
         "`su-other` it is one of its own.\nColumns:\n\n";
  for (const Column& caller : callers) {
    out << "- `" << caller.name << "`: " << caller.description << "\n";
  }
  out << "\n| endpoint |";
  for (const Column& caller : callers) out << " " << caller.name << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < callers.size(); ++i) out << "---:|";
  out << "\n";
  for (std::size_t e = 0; e < endpoints.size(); ++e) {
    out << "| " << endpoints[e].label << " |";
    for (int status : expected[e]) out << " " << status << " |";
    out << "\n";
  }
  out << "\nReading it: 401 is a missing, unknown, revoked or expired key; 403 a key whose scope, "
         "role or\nservice limit does not allow the call; 404 a token, user or customer the "
         "caller may not see\n(never \"forbidden\", so that ids of other customers are not "
         "confirmed). `POST /tokens` without a\nkey and without a username answers the "
         "contract's 400 `invalid_request`. The `POST /sudo` row is sudo with each\nscope (the "
         "columns): any live token may ask, with its user's password. The two-factor rows\nneed "
         "a global token that is not service-limited, and enrolment and turning it off the "
         "password as\nwell (409: already on, or not on); a stolen token alone changes no "
         "second factor, and the superuser reset\nrefuses the caller's own user. Migrating a "
         "legacy key needs sudo or the password, as creating a\ntoken with a key does. Failed "
         "password checks count toward the login lock and the client "
         "address's budget (docs/security.md).\n";
  return out.str();
}

TEST_F(AuthorizationMatrix, EveryCellHasTheDocumentedStatus) {
  ASSERT_EQ(expected.size(), endpoints.size());
  int cells = 0;
  for (std::size_t e = 0; e < endpoints.size(); ++e) {
    ASSERT_EQ(expected[e].size(), callers.size()) << endpoints[e].label;
    for (std::size_t c = 0; c < callers.size(); ++c) {
      EXPECT_EQ(cell(endpoints[e], callers[c]), expected[e][c])
          << endpoints[e].label << " as " << callers[c].name;
      ++cells;
    }
  }
  EXPECT_EQ(cells, 360);
}

TEST(AuthorizationDoc, TheCommittedPageMatchesTheTable) {
  const std::string rendered = render_markdown();
  if (const char* path = std::getenv("TOKENLEDGER_AUTHZ_DOC")) std::ofstream(path) << rendered;
  std::ifstream committed(TOKENLEDGER_SOURCE_DIR "/docs/authorization.md");
  std::stringstream text;
  text << committed.rdbuf();
  EXPECT_EQ(text.str(), rendered) << "docs/authorization.md is out of date: see its first lines";
}

}  // namespace
}  // namespace tokenledger::api::testing
