// `tokenledger serve`: opens a data directory's log, builds the views (from the snapshot when
// it matches the log), and serves the API until SIGTERM or SIGINT. On the way out every
// pending use is recorded and a snapshot is written; acknowledged writes were durable already.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/server.h"
#include "base/command_line.h"

namespace tokenledger::api {

struct ServeOptions {
  std::filesystem::path data = "./data";
  bool check_chain = true;  // walk the whole chain before serving (TokenServiceOptions)
  Policy policy;            // the domain's limits (login lockout among them)
  ServerOptions server;
  ApiOptions api;
};

// Declares `serve`'s flags on its subcommand; parsing them fills `options`, which must outlive
// the parse.
void add_serve_flags(CLI::App& command, ServeOptions* options);
// Parses `serve`'s arguments alone (the words after "serve"). False, with CLI11's message, on a
// bad argument.
bool parse_serve_arguments(const std::vector<std::string>& args, ServeOptions* options,
                           std::string* error);

// Runs the server; returns the process's exit code (0 after a clean stop, 1 on failure).
int serve(ServeOptions options);

}  // namespace tokenledger::api
