#include "api/request_fields.h"

#include <sodium.h>

#include <array>
#include <cctype>

namespace tokenledger::api {
namespace {

constexpr std::size_t basic_credentials_size_max_bytes = 1024;

}  // namespace

bool parse_basic_auth(std::string_view header, std::string* user, std::string* password) {
  constexpr std::string_view scheme = "basic ";
  if (header.size() <= scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
  }
  std::string_view encoded = header.substr(scheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  if (encoded.empty() || encoded.size() > basic_credentials_size_max_bytes) return false;
  std::string decoded(encoded.size(), '\0');
  std::size_t decoded_size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &decoded_size, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != encoded.data() + encoded.size()) {
    return false;
  }
  decoded.resize(decoded_size);
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  *user = decoded.substr(0, colon);
  *password = decoded.substr(colon + 1);
  sodium_memzero(decoded.data(), decoded.size());
  return true;
}

bool parse_scopes(std::string_view text, std::vector<Scope>* scopes, std::string* unknown) {
  static constexpr std::array<Scope, 4> all = {Scope::global, Scope::global_read,
                                               Scope::purge_select, Scope::purge_all};
  scopes->clear();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    bool found = false;
    for (Scope scope : all) {
      if (scope_name(scope) == word) {
        scopes->push_back(scope);
        found = true;
      }
    }
    if (!found) {
      *unknown = std::string(word.substr(0, 64));
      return false;
    }
  }
  if (scopes->empty()) scopes->push_back(Scope::global);
  return true;
}

bool parse_role(std::string_view text, Role* role) {
  for (Role candidate : {Role::user, Role::billing, Role::engineer, Role::superuser}) {
    if (role_name(candidate) == text) {
      *role = candidate;
      return true;
    }
  }
  return false;
}

bool parse_bool(std::string_view text, bool* value) {
  if (text == "true" || text == "1") {
    *value = true;
    return true;
  }
  if (text == "false" || text == "0") {
    *value = false;
    return true;
  }
  return false;
}

}  // namespace tokenledger::api
