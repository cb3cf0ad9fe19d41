#include "projections/huge_pages.h"

#include <sys/mman.h>

#include <cstdlib>

namespace tokenledger {

void* allocate_large(std::size_t size_bytes) {
  if (size_bytes < huge_page_size_bytes) {
    // Cache-line aligned, for tables laid out in 64-byte slots (digest_index.h).
    void* memory = std::aligned_alloc(64, (size_bytes + 64) / 64 * 64);  // never 0 bytes
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }
  const std::size_t rounded =
      (size_bytes + huge_page_size_bytes - 1) / huge_page_size_bytes * huge_page_size_bytes;
  void* memory = std::aligned_alloc(huge_page_size_bytes, rounded);
  if (memory == nullptr) throw std::bad_alloc();
  (void)madvise(memory, rounded, MADV_HUGEPAGE);  // advice only: without it, ordinary pages
  return memory;
}

void free_large(void* memory, std::size_t) {
  std::free(memory);
}

}  // namespace tokenledger
