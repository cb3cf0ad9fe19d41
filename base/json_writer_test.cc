#include "base/json_writer.h"

#include <gtest/gtest.h>

namespace tokenledger {
namespace {

TEST(JsonWriter, WritesNestedValues) {
  JsonWriter json;
  json.begin_object()
      .key("msg")
      .string("Record not found")
      .key("n")
      .number(-42)
      .key("ok")
      .boolean(true)
      .key("none")
      .null()
      .key("maybe")
      .optional_string(std::nullopt)
      .key("list")
      .begin_array()
      .string("a")
      .string("b")
      .begin_object()
      .end_object()
      .end_array()
      .key("empty")
      .begin_array()
      .end_array()
      .end_object();
  EXPECT_EQ(json.text(), R"({"msg":"Record not found","n":-42,"ok":true,"none":null,"maybe":null,)"
                         R"("list":["a","b",{}],"empty":[]})");
}

TEST(JsonWriter, EscapesPerRfc8259) {
  std::string out;
  append_json_escaped(&out, std::string_view("q\"b\\n\nr\rt\t\x01\x1f", 12));
  EXPECT_EQ(out, R"(q\"b\\n\nr\rt\t\u0001\u001f)");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  append_json_escaped(&out, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x94\x91");  // é € 🔑
  EXPECT_EQ(out, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x94\x91");
  out.clear();
  append_json_escaped(&out,
                      "a\xff"
                      "b\xc3"
                      "c\xc0\xaf"
                      "d\xed\xa0\x80");  // stray, cut, overlong, surrogate
  EXPECT_EQ(out, "a\\ufffdb\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd");
}

}  // namespace
}  // namespace tokenledger
