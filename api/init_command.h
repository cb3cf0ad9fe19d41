// `tokenledger init`: creates the first customer and its superuser in a new data directory.
// It runs once: a log that already holds records is refused, so that init can never add a
// second first superuser to a running system.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "projections/credentials.h"

namespace tokenledger::api {

struct InitResult {
  std::string customer_id;
  std::string user_id;
};

Result<InitResult> initialize_data(const std::filesystem::path& data,
                                   std::string_view customer_name, std::string_view login,
                                   std::string_view password, const PasswordCost& cost);

}  // namespace tokenledger::api
