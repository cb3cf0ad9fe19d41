// The disk misbehaving under the API: a failing sync or a full disk answers writes with 503 and
// acknowledges nothing that is not durable, while reads keep being answered; /readyz says why.
#include "api/api_test_fixture.h"

namespace tokenledger::api::testing {
namespace {

void expect_storage_refusal(const HttpResponse& response) {
  EXPECT_EQ(response.status, 503) << response.body;
  bool retry_after = false;
  for (const auto& [name, value] : response.headers) retry_after |= name == "Retry-After";
  EXPECT_TRUE(retry_after);
}

class ApiFaults : public ApiTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(ApiFaults, WritesAnswer503ReadsGoOnAndNothingUnsyncedIsAcknowledged) {
  const auto [reader_id, reader] = login_token("root%40example.com", "root-password");
  const auto [victim_id, victim] = login_token("root%40example.com", "root-password");
  if (std::string(GetParam()) == "failing sync") {
    faults_.set_fail_syncs(true);
  } else {
    faults_.set_disk_full(true);
  }
  expect_storage_refusal(with_key(reader, "DELETE", "/tokens/" + victim_id));
  // The revoke was not acknowledged, and it is not visible either.
  EXPECT_EQ(with_key(victim, "GET", "/tokens/self").status, 200);
  EXPECT_EQ(with_key(reader, "GET", "/tokens").status, 200);
  HttpResponse ready = call("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(field(ready.body, "detail").find("the log refuses writes"), std::string::npos)
      << ready.body;

  // The log stays stopped until it is reopened, even once the disk recovers.
  faults_.set_fail_syncs(false);
  faults_.set_disk_full(false);
  expect_storage_refusal(with_key(reader, "DELETE", "/tokens/" + victim_id));
  expect_storage_refusal(
      call("POST", "/tokens", {}, "username=root%40example.com&password=root-password"));
  EXPECT_EQ(with_key(victim, "GET", "/tokens/self").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Disk, ApiFaults, ::testing::Values("failing sync", "full disk"));

}  // namespace
}  // namespace tokenledger::api::testing
