// Counters for GET /metrics, in Prometheus' text format: requests by route and status, a
// latency histogram, plus values the caller supplies when rendering (appends, log head, live
// tokens, connections). Fixed-size arrays of atomics: recording never allocates or locks.
// Threading: record() from any thread; render() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/routes.h"

namespace tokenledger::api {

class Metrics {
 public:
  Metrics();

  // `route` is null for requests that matched no route (404, 405, unparsable).
  void record(const Route* route, int status, std::int64_t duration_ns);

  // A value the caller reads when rendering: a gauge (may go down) or a counter (only grows
  // while the process runs; Prometheus' rate() needs the type to handle restarts).
  struct Value {
    enum class Type { gauge, counter };
    std::string name;
    std::string help;
    double value = 0;
    Type type = Type::gauge;
  };
  // The text exposition: the request counters and histogram, then `values`.
  std::string render(const std::vector<Value>& values) const;

  std::uint64_t request_count() const;

 private:
  static constexpr std::array<int, 17> statuses = {200, 204, 400, 401, 403, 404, 405, 408, 409,
                                                   413, 415, 422, 429, 431, 500, 503, 0};
  static constexpr std::array<double, 14> bucket_bounds_s = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static std::size_t status_slot(int status);

  using StatusCounts = std::array<std::atomic<std::uint64_t>, statuses.size()>;
  // One row per route of the table (routes()), then one for requests that matched none.
  std::vector<StatusCounts> requests_;
  std::array<std::atomic<std::uint64_t>, bucket_bounds_s.size() + 1> buckets_{};
  std::atomic<std::uint64_t> duration_sum_ns_{0};
};

}  // namespace tokenledger::api
