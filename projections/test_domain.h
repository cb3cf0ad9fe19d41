// Test support: the domain without a log. decide() then apply() in memory, with a clock the
// test moves, and helpers that build valid ids and secrets. Used by the projection tests and the
// seeded simulation.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "projections/apply.h"
#include "projections/decide.h"

namespace tokenledger::testing {

inline constexpr TimeNs second_ns = 1'000'000'000;
inline constexpr TimeNs start_ns = 1'700'000'000 * second_ns;  // 2023-11-14T22:13:20Z

// A valid 22-character base62 id made from a label ("u1" -> "u1xxxxxxxxxxxxxxxxxxxx").
inline std::string make_id(const std::string& label) {
  std::string id = label.substr(0, 22);
  id.resize(22, 'x');
  return id;
}

inline std::string fake_password_hash(const std::string& seed) {
  return "$argon2id$v=19$m=8,t=1,p=1$" + seed;
}

class Domain {
 public:
  Decision run(const Caller& caller, const Command& command) {
    Decision decision = decide(views_, caller, command, now_ns, policy);
    if (const auto* events = std::get_if<std::vector<Event>>(&decision)) {
      for (const Event& event : *events) {
        Record record;
        record.sequence = views_.sequence() + 1;
        record.recorded_at_ns = now_ns;
        record.event = event;
        const Status status = apply(views_, record);
        EXPECT_TRUE(status.is_ok()) << status.to_string();
        log.push_back(record);
      }
    }
    return decision;
  }

  // The events of an accepted command (failing the test on a rejection).
  std::vector<Event> accept(const Caller& caller, const Command& command) {
    Decision decision = run(caller, command);
    if (const auto* rejection = std::get_if<Rejection>(&decision)) {
      ADD_FAILURE() << command_name(command) << " rejected: " << rejection->name << " "
                    << rejection->detail;
      return {};
    }
    return std::get<std::vector<Event>>(decision);
  }

  // The rejection name ("" when accepted).
  std::string rejection(const Caller& caller, const Command& command) {
    Decision decision = run(caller, command);
    const auto* rejection = std::get_if<Rejection>(&decision);
    return rejection == nullptr ? "" : rejection->name;
  }

  const Views& views() const { return views_; }

  TimeNs now_ns = start_ns;
  Policy policy;
  std::vector<Record> log;  // everything applied, in order

 private:
  Views views_;
};

}  // namespace tokenledger::testing
