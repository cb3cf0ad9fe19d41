// GET /healthz, GET /readyz, GET /metrics: for operators and their load balancers. They need no
// key and reveal only counts (bind the server to a private address; docs/adr/0009).
#include "api/api.h"

namespace tokenledger::api {

HttpResponse Api::healthz(const Request&) {
  return json_response(200, R"({"status":"ok"})");
}

HttpResponse Api::readyz(const Request&) {
  // Ready: serving, the log accepts writes, and the views hold everything durable.
  const Status writable = log_.write_status();
  const std::uint64_t head = log_.head().sequence;
  const std::uint64_t folded = service_.read([](const Views& views) { return views.sequence(); });
  std::string problem;
  if (!ready_.load()) {
    problem = "not serving (starting or stopping)";
  } else if (!writable.is_ok()) {
    problem = "the log refuses writes: " + writable.to_string();
  } else if (folded < head) {
    problem = "views at sequence " + std::to_string(folded) + ", log at " + std::to_string(head);
  }
  if (!problem.empty()) {
    return error_response(503, "Service unavailable", problem);
  }
  return json_response(200, R"({"status":"ready","log_head":)" + std::to_string(head) + "}");
}

HttpResponse Api::render_metrics(const Request&) {
  using Type = Metrics::Value::Type;
  std::vector<Metrics::Value> values;
  const std::size_t live_tokens =
      service_.read([](const Views& views) { return views.live_token_count(); });
  const std::uint64_t head_sequence = log_.head().sequence;
  values.push_back({"tokenledger_log_head_sequence", "The sequence of the last durable record.",
                    static_cast<double>(head_sequence)});
  values.push_back({"tokenledger_appended_records_total",
                    "Records the log made durable since the server started: writes and "
                    "recorded token uses.",
                    static_cast<double>(head_sequence - head_at_start_sequence_), Type::counter});
  values.push_back(
      {"tokenledger_live_tokens", "Tokens neither revoked nor expired.", double(live_tokens)});
  values.push_back({"tokenledger_dropped_uses_total",
                    "Token uses not recorded because the usage tracker was full.",
                    static_cast<double>(service_.dropped_use_count()), Type::counter});
  values.push_back({"tokenledger_log_writable", "1 while the log accepts writes.",
                    log_.write_status().is_ok() ? 1.0 : 0.0});
  if (extra_metrics_) {
    for (Metrics::Value& value : extra_metrics_()) values.push_back(std::move(value));
  }
  HttpResponse response = json_response(200, metrics_.render(values));
  response.content_type = "text/plain; version=0.0.4";
  return response;
}

}  // namespace tokenledger::api
