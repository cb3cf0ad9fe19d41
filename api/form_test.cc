#include "api/form.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

Form decode(std::string_view body) {
  Form form;
  const auto error = decode_form(body, FormLimits{}, &form);
  EXPECT_FALSE(error) << error->message;
  return form;
}

TEST(Form, DecodesWhatFastlysClientsSend) {
  // go-fastly and the CLI: the same form to /sudo and /tokens.
  const Form form = decode(
      "name=ci+deploy&scope=global+purge_select&services%5B%5D=svc1&"
      "services[]=svc2&expires_at=2030-01-01T00%3A00%3A00Z&username=a%40b.example&"
      "password=p%26ss%3Dw%2Brd");
  EXPECT_EQ(form.first("name"), "ci deploy");
  EXPECT_EQ(form.first("scope"), "global purge_select");
  EXPECT_EQ(form.all("services[]"), (std::vector<std::string_view>{"svc1", "svc2"}));
  EXPECT_EQ(form.first("expires_at"), "2030-01-01T00:00:00Z");
  EXPECT_EQ(form.first("username"), "a@b.example");
  EXPECT_EQ(form.first("password"), "p&ss=w+rd");
  EXPECT_FALSE(form.has("missing"));
}

TEST(Form, EmptyPiecesAndBareNames) {
  const Form form = decode("&a=1&&b&c=&");
  EXPECT_EQ(form.size(), 3u);
  EXPECT_EQ(form.first("a"), "1");
  EXPECT_EQ(form.first("b"), "");
  EXPECT_EQ(form.first("c"), "");
  EXPECT_EQ(decode("").size(), 0u);
}

TEST(Form, MalformedEscapesAreErrorsThatNeverEchoTheValue) {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "password=secret%2"}) {
    Form form;
    const auto error = decode_form(body, FormLimits{}, &form);
    ASSERT_TRUE(error) << body;
    EXPECT_EQ(error->message.find("secret"), std::string::npos);
  }
}

TEST(Form, LimitsAreErrors) {
  FormLimits limits;
  limits.field_count_max = 3;
  limits.value_size_max_bytes = 4;
  limits.name_size_max_bytes = 3;
  Form form;
  EXPECT_TRUE(decode_form("a=1&b=2&c=3&d=4", limits, &form));
  form = Form{};
  EXPECT_TRUE(decode_form("a=12345", limits, &form));
  form = Form{};
  EXPECT_TRUE(decode_form("abcd=1", limits, &form));
  form = Form{};
  EXPECT_FALSE(decode_form("a=1234&b=2&c=3", limits, &form));
}

TEST(Form, BytesOfAnyValueSurvive) {
  const Form form = decode("a=%00%FF%0D%0A");
  EXPECT_EQ(form.first("a"), std::string_view("\0\xff\r\n", 4));
}

}  // namespace
}  // namespace tokenledger::api
