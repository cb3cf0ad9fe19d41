#include "projections/digest_index.h"

#include <sodium.h>

namespace tokenledger {

bool same_digest(const Hash& a, const Hash& b) {
  return crypto_verify_32(a.data(), b.data()) == 0;
}

}  // namespace tokenledger
