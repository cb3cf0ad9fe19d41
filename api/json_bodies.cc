#include "api/json_bodies.h"

#include <simdjson.h>

namespace tokenledger::api {
namespace {

bool fail(JsonBodyError* error, std::string message) {
  error->message = std::move(message);
  return false;
}

}  // namespace

bool parse_bulk_revoke(std::string_view body, std::size_t id_count_max,
                       std::vector<std::string>* ids, JsonBodyError* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(body.data(), body.size()).get(document) != simdjson::SUCCESS) {
    return fail(error, "the body is not valid JSON");
  }
  simdjson::dom::array data;
  if (document["data"].get_array().get(data) != simdjson::SUCCESS) {
    return fail(error, "the body needs a \"data\" array");
  }
  for (simdjson::dom::element item : data) {
    if (ids->size() >= id_count_max) {
      return fail(error, "at most " + std::to_string(id_count_max) + " tokens per request");
    }
    std::string_view type;
    std::string_view id;
    if (item["type"].get_string().get(type) != simdjson::SUCCESS || type != "token") {
      return fail(error, "every element of \"data\" needs \"type\": \"token\"");
    }
    if (item["id"].get_string().get(id) != simdjson::SUCCESS || id.empty()) {
      return fail(error, "every element of \"data\" needs a string \"id\"");
    }
    ids->emplace_back(id);
  }
  return true;
}

bool parse_json_fields(std::string_view body, const FormLimits& limits, Form* form,
                       JsonBodyError* error) {
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(body.data(), body.size()).get(document) != simdjson::SUCCESS) {
    return fail(error, "the body is not valid JSON");
  }
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) {
    return fail(error, "the body must be a JSON object");
  }
  for (auto [key, value] : object) {
    const std::string name(key);
    if (name.size() > limits.name_size_max_bytes) return fail(error, "a field name is too long");
    const auto add = [&](std::string field, std::string text) {
      if (form->size() >= limits.field_count_max) return fail(error, "too many fields");
      if (text.size() > limits.value_size_max_bytes)
        return fail(error, "field '" + field + "' is too long");
      form->add(std::move(field), std::move(text));
      return true;
    };
    switch (value.type()) {
      case simdjson::dom::element_type::STRING: {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) return fail(error, "bad string");
        if (!add(name, std::string(text))) return false;
        break;
      }
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
      case simdjson::dom::element_type::BOOL:
        if (!add(name, simdjson::minify(value))) return false;
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;  // an absent value
      case simdjson::dom::element_type::ARRAY: {
        simdjson::dom::array items;
        if (value.get_array().get(items) != simdjson::SUCCESS) return fail(error, "bad array");
        for (simdjson::dom::element item : items) {
          std::string_view text;
          if (item.get_string().get(text) != simdjson::SUCCESS) {
            return fail(error, "field '" + name + "' must be an array of strings");
          }
          if (!add(name + "[]", std::string(text))) return false;
        }
        break;
      }
      default:
        return fail(error, "field '" + name + "' must not be an object");
    }
  }
  return true;
}

}  // namespace tokenledger::api
