// Helpers for the ledger's tests and for tests in tests/ that build on the ledger: a scratch
// directory that cleans up after itself, and one sample event of every kind.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ledger/event.h"

namespace tokenledger::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class ScratchDirectory {
 public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One event of every kind of schema version 1, with every optional field set in some and absent
// in others. tests/golden/events_v1.bin was written from these; never change them.
std::vector<Event> sample_events_v1();
// Those, then what version 2 added (each new kind and field): every kind the current schema has.
// tests/golden/events_v2.bin was written from these; never change them, add a version.
std::vector<Event> sample_events();

}  // namespace tokenledger::testing
