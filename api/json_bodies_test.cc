#include "api/json_bodies.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

TEST(JsonBodies, BulkRevokeReadsTheJsonApiDocument) {
  std::vector<std::string> ids;
  JsonBodyError error;
  ASSERT_TRUE(parse_bulk_revoke(R"({"data":[{"type":"token","id":"a"},{"type":"token","id":"b"}]})",
                                1000, &ids, &error))
      << error.message;
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
}

TEST(JsonBodies, BulkRevokeRefusesAnythingElse) {
  for (const char* body :
       {"", "{", "[]", R"({"data":{}})", R"({"data":[{"type":"user","id":"a"}]})",
        R"({"data":[{"type":"token"}]})", R"({"data":[{"type":"token","id":7}]})",
        R"({"data":[{"type":"token","id":""}]})", R"({"data":[1]})"}) {
    std::vector<std::string> ids;
    JsonBodyError error;
    EXPECT_FALSE(parse_bulk_revoke(body, 1000, &ids, &error)) << body;
    EXPECT_FALSE(error.message.empty());
  }
  std::vector<std::string> ids;
  JsonBodyError error;
  EXPECT_FALSE(parse_bulk_revoke(
      R"({"data":[{"type":"token","id":"a"},{"type":"token","id":"b"}]})", 1, &ids, &error));
}

TEST(JsonBodies, FlatObjectsBecomeFormFields) {
  Form form;
  JsonBodyError error;
  ASSERT_TRUE(parse_json_fields(R"({"username":"a@b","password":"p\"w","services":["s1","s2"],)"
                                R"("locked":true,"n":3,"gone":null})",
                                FormLimits{}, &form, &error))
      << error.message;
  EXPECT_EQ(form.first("username"), "a@b");
  EXPECT_EQ(form.first("password"), "p\"w");
  EXPECT_EQ(form.all("services[]"), (std::vector<std::string_view>{"s1", "s2"}));
  EXPECT_EQ(form.first("locked"), "true");
  EXPECT_EQ(form.first("n"), "3");
  EXPECT_FALSE(form.has("gone"));
}

TEST(JsonBodies, NestedOrMalformedObjectsAreRefused) {
  for (const char* body :
       {"", "nope", "[1]", R"({"a":{"b":1}})", R"({"a":[{"b":1}]})", R"({"a":"x")"}) {
    Form form;
    JsonBodyError error;
    EXPECT_FALSE(parse_json_fields(body, FormLimits{}, &form, &error)) << body;
  }
}

}  // namespace
}  // namespace tokenledger::api
