// state --at: the tokens and users as they were at a moment (a time, or a sequence).
#include <cstdio>

#include "base/json_writer.h"
#include "base/rfc3339.h"
#include "projections/read_rules.h"
#include "projections/render.h"
#include "projections/replay.h"
#include "tools/replay/progress.h"
#include "tools/replay/replay_commands.h"

namespace tokenledger::replay {
namespace {

std::string time_text(TimeNs time) {
  return time == no_time ? "-" : format_rfc3339(time);
}

// A token's name for one cell of the table: control characters (a name may hold any text) as
// '?', so that a name cannot break the table or write to the terminal; "-" when empty.
std::string printable_name(std::string_view name) {
  if (name.empty()) return "-";
  std::string out(name);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

int run_state(const std::filesystem::path& data, const Moment& at, bool json) {
  std::unique_ptr<Log> log = open_log_read_only(data);
  if (!log) return exit_unreadable;
  Views views;
  Progress progress("state", log->head().sequence);
  ReplayLimits limits;
  if (at.sequence) limits.up_to_sequence = *at.sequence;
  if (at.time_ns) limits.up_to_time_ns = *at.time_ns;
  limits.progress = [&progress](std::uint64_t done) { progress.update(done); };
  limits.progress_interval_records = 10'000;
  Status replayed = replay_within(views, *log, limits);
  if (!replayed.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: %s\n", replayed.to_string().c_str());
    return exit_unreadable;
  }
  // The moment the answer is for: the time asked, or the time of the sequence asked.
  const TimeNs moment = at.time_ns ? *at.time_ns : views.recorded_at_ns();
  const auto live_at_moment = [moment](const Token& token) { return token_live_at(token, moment); };

  if (json) {
    // The objects the API answers with (projections/render.h), tokens with their owner's login
    // and origin.
    JsonWriter out;
    out.begin_object();
    out.key("at").string(format_rfc3339(moment));
    out.key("sequence").number(static_cast<std::int64_t>(views.sequence()));
    out.key("tokens").begin_array();
    for (std::size_t i = 0; i < views.token_count(); ++i) {
      const auto index = static_cast<TokenIndex>(i);
      if (live_at_moment(views.token(index))) write_audited_token(out, views, index);
    }
    out.end_array();
    out.key("users").begin_array();
    for (std::size_t i = 0; i < views.user_count(); ++i) {
      const User& user = views.user(static_cast<UserIndex>(i));
      if (!user.deleted) write_user(out, user, views.customer(user.customer));
    }
    out.end_array();
    out.end_object();
    std::printf("%s\n", out.text().c_str());
    return exit_ok;
  }

  std::printf("state at %s (sequence %llu)\n\n", format_rfc3339(moment).c_str(),
              static_cast<unsigned long long>(views.sequence()));
  std::printf("%-22s  %-24s  %-28s  %-24s  %-20s  %-20s  %s\n", "LIVE TOKEN", "NAME", "OWNER",
              "SCOPES", "CREATED", "EXPIRES", "SERVICES");
  std::size_t live = 0;
  for (std::size_t i = 0; i < views.token_count(); ++i) {
    const Token& token = views.token(static_cast<TokenIndex>(i));
    if (!live_at_moment(token)) continue;
    ++live;
    std::string services;
    for (const std::string& service : token.services) services += service + " ";
    std::printf("%-22.*s  %-24s  %-28s  %-24s  %-20s  %-20s  %s\n", 22, token.id.data(),
                printable_name(token.name).c_str(), views.user(token.user).login.c_str(),
                scope_string(token.scopes).c_str(), time_text(token.created_at_ns).c_str(),
                time_text(token.expires_at_ns).c_str(),
                services.empty() ? "(all)" : services.c_str());
  }
  std::printf("%zu live tokens\n\n", live);
  std::printf("%-22s  %-28s  %-10s  %-7s  %s\n", "USER", "LOGIN", "ROLE", "LOCKED", "CUSTOMER");
  for (std::size_t i = 0; i < views.user_count(); ++i) {
    const User& user = views.user(static_cast<UserIndex>(i));
    if (user.deleted) continue;
    std::printf("%-22s  %-28s  %-10s  %-7s  %s\n", user.id.c_str(), user.login.c_str(),
                std::string(role_name(user.role)).c_str(), user.locked ? "yes" : "no",
                views.customer(user.customer).id.c_str());
  }
  return exit_ok;
}

}  // namespace tokenledger::replay
