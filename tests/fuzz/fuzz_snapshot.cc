// libFuzzer target: a snapshot's payload (the Cap'n Proto message after the file's checksum).
// The checksum keeps out random damage, not a writer's bug or a file rewritten with a checksum
// that holds, so loading must refuse or accept any message without crashing, and whatever it
// accepts must be views that hold together: every token, user and customer is found by its
// own id (and a token by its secret), and snapshotted again and loaded again they come back the
// same.
#include <cstdint>
#include <cstring>

#include "base/assert.h"
#include "projections/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tokenledger;
  // Cap'n Proto reads whole, aligned words.
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
  std::memcpy(words.begin(), data, words.asBytes().size());
  Views loaded;
  Hash head{};
  if (!load_snapshot_payload(words, &loaded, &head).is_ok()) return 0;

  for (TokenIndex index = 0; index < loaded.token_count(); ++index) {
    const Token& token = loaded.token(index);
    TL_ASSERT(loaded.index_of(token) == index);
    TL_ASSERT(loaded.token_by_secret(token.secret_sha256) == &token);
  }
  for (UserIndex index = 0; index < loaded.user_count(); ++index) {
    const User& user = loaded.user(index);
    TL_ASSERT(loaded.user_by_id(user.id) == &user);
  }
  for (CustomerIndex index = 0; index < loaded.customer_count(); ++index) {
    const Customer& customer = loaded.customer(index);
    TL_ASSERT(loaded.customer_by_id(customer.id) == &customer);
  }

  const SnapshotImage image = finish_snapshot(capture_snapshot(loaded), head);
  Views again;
  Hash again_head{};
  const Status status = load_snapshot_payload(image.words, &again, &again_head);
  TL_ASSERT(status.is_ok());
  TL_ASSERT(again_head == head);
  TL_ASSERT(again.same_as(loaded));
  return 0;
}
