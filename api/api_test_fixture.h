// A real Api over a real log in a scratch directory, with a clock the test moves, for handler
// tests: requests go through the router and Api::handle exactly as the server sends them.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "api/api.h"
#include "ledger/fault_injection.h"
#include "ledger/sha256.h"
#include "ledger/test_support.h"
#include "projections/test_domain.h"

namespace tokenledger::api::testing {

using tokenledger::testing::second_ns;
using tokenledger::testing::start_ns;

struct Header {
  std::string name;
  std::string value;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions log_options;
    log_options.path = dir_.path() / "log";
    log_options.env = faults_.env();
    log_ = Log::open(log_options).value();
    TokenServiceOptions service_options;
    service_options.clock = [this] { return now_.load(); };
    service_options.sealing_key = SealingKey::from_bytes("test-key", {7, 7, 7});
    service_options.after_submit = [this](const Executed& executed) {
      if (after_submit_) after_submit_(executed);
    };
    service_ = TokenService::open(*log_, std::move(service_options)).value();
    ApiOptions options;
    options.password_cost = PasswordCost::minimum();
    options.sealing_key = SealingKey::from_bytes("test-key", {7, 7, 7});
    options.rate_limit.requests_per_hour = rate_limit_;
    options.rate_limit.address_counters = address_counters_;
    api_ = std::make_unique<Api>(*service_, *log_, std::move(options));
    api_->set_ready(true);
    customer_ = random_id();
    root_ = random_id();
    execute(Caller::operator_caller(), CreateCustomer{customer_, "Acme"});
    execute(Caller::operator_caller(),
            CreateUser{root_, customer_, "root@example.com", "Root", Role::superuser,
                       hash_password("root-password", PasswordCost::minimum()).value()});
  }

  void TearDown() override {
    api_.reset();
    ASSERT_TRUE(service_->stop().is_ok());
  }

  void execute(const Caller& caller, const Command& command) {
    Result<Executed> executed = service_->execute(caller, command);
    ASSERT_TRUE(executed.is_ok()) << executed.status().to_string();
    ASSERT_FALSE(executed->rejection) << executed->rejection->name;
  }

  // A user of the customer (or of `customer`) with `password`; returns its id.
  std::string add_user(const std::string& login, Role role, const std::string& password,
                       const std::string& customer = {}) {
    const std::string id = random_id();
    execute(Caller::operator_caller(),
            CreateUser{id, customer.empty() ? customer_ : customer, login, login, role,
                       hash_password(password, PasswordCost::minimum()).value()});
    return id;
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    std::vector<Header> headers = {}, const std::string& body = {}) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    for (Header& header : headers) request.headers.emplace_back(header.name, header.value);
    request.body = body;
    const RouteMatch match = match_route(method, request.path());
    return api_->handle(request, match, RequestContext{client_ip_, "test-request"});
  }

  HttpResponse with_key(const std::string& key, const std::string& method,
                        const std::string& target, const std::string& body = {},
                        std::vector<Header> extra = {}) {
    extra.push_back({"fastly-key", key});
    return call(method, target, std::move(extra), body);
  }

  // Creates a token by login and password; returns {id, secret}.
  std::pair<std::string, std::string> login_token(const std::string& login,
                                                  const std::string& password,
                                                  const std::string& extra_form = {}) {
    HttpResponse response =
        call("POST", "/tokens", {}, "username=" + login + "&password=" + password + extra_form);
    EXPECT_EQ(response.status, 200) << response.body;
    return {field(response.body, "id"), field(response.body, "access_token")};
  }

  static std::string field(const std::string& body, const char* name) {
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (parser.parse(body).get(document)) return "(not json)";
    std::string_view value;
    if (document[name].get(value)) return "(no string " + std::string(name) + ")";
    return std::string(value);
  }

  // RFC 4648 base32 (no padding) to bytes, as an authenticator app reads a secret; written here
  // independently of the server's encoder. Empty for text outside the alphabet.
  static std::string base32_decode(std::string_view text) {
    static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string raw;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
      const std::size_t at = alphabet.find(c);
      if (at == std::string_view::npos) return {};
      buffer = (buffer << 5) | static_cast<std::uint32_t>(at);
      bits += 5;
      if (bits >= 8) {
        raw += static_cast<char>((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return raw;
  }

  // application/x-www-form-urlencoded escaping of one value.
  static std::string form_escape(std::string_view text) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out += {'%', digits[c >> 4], digits[c & 15]};
      }
    }
    return out;
  }

  static bool valid_json(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    return !parser.parse(body).get(document);
  }

  static std::optional<std::string> header(const HttpResponse& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  std::uint32_t rate_limit_ = 1000;
  std::size_t address_counters_ = 1 << 18;
  std::string client_ip_ = "192.0.2.7";  // the address every call comes from
  // Runs after each command's submit (TokenServiceOptions::after_submit), when a test sets it.
  std::function<void(const Executed&)> after_submit_;
  tokenledger::testing::ScratchDirectory dir_;
  tokenledger::testing::FaultInjection faults_;  // no faults unless a test switches one on
  std::atomic<TimeNs> now_{start_ns};
  std::unique_ptr<Log> log_;
  std::unique_ptr<TokenService> service_;
  std::unique_ptr<Api> api_;
  std::string customer_;
  std::string root_;
};

}  // namespace tokenledger::api::testing
