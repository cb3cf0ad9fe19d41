#include "api/serve_command.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

bool parse(const std::vector<std::string>& args, ServeOptions* options, std::string* error) {
  return parse_serve_arguments(args, options, error);
}

TEST(ServeArguments, DefaultsAndEveryOption) {
  ServeOptions options;
  std::string error;
  ASSERT_TRUE(parse({}, &options, &error));
  EXPECT_EQ(options.data, "./data");
  EXPECT_EQ(options.server.host, "127.0.0.1");
  EXPECT_EQ(options.server.port, 8080);
  EXPECT_TRUE(options.check_chain);
  ASSERT_TRUE(parse({"--data",
                     "/srv/tl",
                     "--listen",
                     "[::1]:9090",
                     "--io-threads",
                     "4",
                     "--connections-max",
                     "10",
                     "--request-timeout-ms",
                     "2500",
                     "--password-threads",
                     "3",
                     "--password-queue",
                     "9",
                     "--rate-limit-per-hour",
                     "50",
                     "--no-request-log",
                     "--skip-chain-check",
                     "--login-failures-max",
                     "10",
                     "--login-lock-minutes",
                     "60",
                     "--login-failures-per-address",
                     "20"},
                    &options, &error))
      << error;
  EXPECT_EQ(options.data, "/srv/tl");
  EXPECT_EQ(options.server.host, "::1");
  EXPECT_EQ(options.server.port, 9090);
  EXPECT_EQ(options.server.io_threads, 4u);
  EXPECT_EQ(options.server.connections_max, 10u);
  EXPECT_EQ(options.server.request_timeout.count(), 2500);
  EXPECT_EQ(options.server.password_threads, 3u);
  EXPECT_EQ(options.server.password_queue_max, 9u);
  EXPECT_EQ(options.api.rate_limit.requests_per_hour, 50u);
  EXPECT_FALSE(options.server.log_requests);
  EXPECT_FALSE(options.check_chain);
  EXPECT_EQ(options.policy.login_failures_max, 10u);
  EXPECT_EQ(options.policy.login_lock_duration_ns, 3'600'000'000'000);
  EXPECT_EQ(options.api.rate_limit.login_failures_per_hour, 20u);
}

TEST(ServeArguments, MistakesAreNamed) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bogus"}, "The following argument was not expected: --bogus"},
      {{"--login-failures-max", "11"}, "--login-failures-max: must be a number from 1 to 10"},
      {{"--login-lock-minutes", "29"}, "--login-lock-minutes: must be a number from 30 to 1440"},
      {{"--data"}, "--data: 1 required TEXT missing"},
      {{"--listen", "8080"}, "--listen: must be HOST:PORT, such as 127.0.0.1:8080"},
      {{"--listen", "127.0.0.1:99999"}, "--listen: must be HOST:PORT, such as 127.0.0.1:8080"},
      {{"--io-threads", "0"}, "--io-threads: must be a number from 1 to 256"},
      {{"--request-timeout-ms", "5x"},
       "--request-timeout-ms: must be a number from 100 to 3600000"},
      // A flag of another subcommand is not one of serve's.
      {{"--file", "keys.jsonl"}, "The following arguments were not expected: keys.jsonl --file"},
      // TLS needs both halves.
      {{"--tls-cert", "cert.pem"}, "--tls-cert requires --tls-key"},
  };
  for (const auto& [args, message] : cases) {
    ServeOptions options;
    std::string error;
    EXPECT_FALSE(parse(args, &options, &error)) << args[0];
    EXPECT_EQ(error, message);
  }
}

}  // namespace
}  // namespace tokenledger::api
