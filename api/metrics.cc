#include "api/metrics.h"

#include <cstdio>

namespace tokenledger::api {

Metrics::Metrics() : requests_(routes().size() + 1) {}

std::size_t Metrics::status_slot(int status) {
  for (std::size_t i = 0; i + 1 < statuses.size(); ++i) {
    if (statuses[i] == status) return i;
  }
  return statuses.size() - 1;  // "other"
}

void Metrics::record(const Route* route, int status, std::int64_t duration_ns) {
  const std::size_t route_slot = route != nullptr ? route_index(*route) : routes().size();
  requests_[route_slot][status_slot(status)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(duration_ns) / 1e9;
  std::size_t bucket = 0;
  while (bucket < bucket_bounds_s.size() && seconds > bucket_bounds_s[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  duration_sum_ns_.fetch_add(static_cast<std::uint64_t>(duration_ns < 0 ? 0 : duration_ns),
                             std::memory_order_relaxed);
}

std::uint64_t Metrics::request_count() const {
  std::uint64_t total = 0;
  for (const auto& row : requests_) {
    for (const auto& cell : row) total += cell.load(std::memory_order_relaxed);
  }
  return total;
}

std::string Metrics::render(const std::vector<Value>& values) const {
  std::string out;
  char line[256];
  out += "# HELP tokenledger_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE tokenledger_http_requests_total counter\n";
  const std::span<const Route> table = routes();
  for (std::size_t r = 0; r <= table.size(); ++r) {
    const std::string_view name = r < table.size() ? table[r].name : std::string_view("unmatched");
    for (std::size_t s = 0; s < statuses.size(); ++s) {
      const std::uint64_t count = requests_[r][s].load(std::memory_order_relaxed);
      if (count == 0) continue;
      const std::string status = statuses[s] == 0 ? "other" : std::to_string(statuses[s]);
      std::snprintf(line, sizeof line,
                    "tokenledger_http_requests_total{route=\"%.*s\",status=\"%s\"} %llu\n",
                    static_cast<int>(name.size()), name.data(), status.c_str(),
                    static_cast<unsigned long long>(count));
      out += line;
    }
  }
  out +=
      "# HELP tokenledger_http_request_duration_seconds Time from a request's arrival to its "
      "answer.\n";
  out += "# TYPE tokenledger_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    if (b < bucket_bounds_s.size()) {
      std::snprintf(line, sizeof line,
                    "tokenledger_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    bucket_bounds_s[b], static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof line,
                    "tokenledger_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                    static_cast<unsigned long long>(cumulative));
    }
    out += line;
  }
  std::snprintf(line, sizeof line, "tokenledger_http_request_duration_seconds_sum %.6f\n",
                static_cast<double>(duration_sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += line;
  std::snprintf(line, sizeof line, "tokenledger_http_request_duration_seconds_count %llu\n",
                static_cast<unsigned long long>(cumulative));
  out += line;
  for (const Value& value : values) {
    const bool counter = value.type == Value::Type::counter;
    out += "# HELP " + value.name + " " + value.help + "\n";
    out += "# TYPE " + value.name + (counter ? " counter\n" : " gauge\n");
    std::snprintf(line, sizeof line, "%s %.17g\n", value.name.c_str(), value.value);
    out += line;
  }
  return out;
}

}  // namespace tokenledger::api
