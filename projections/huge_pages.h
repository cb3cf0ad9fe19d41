// Memory for the large, randomly read tables of the views (token chunks, token indexes), backed
// by transparent huge pages where the kernel offers them (madvise mode): an authentication reads
// two random places among hundreds of megabytes, and with 4 KiB pages each read also misses the
// TLB. Allocations below 2 MiB come from the ordinary heap.
#pragma once

#include <cstddef>
#include <new>

namespace tokenledger {

inline constexpr std::size_t huge_page_size_bytes = 2 * 1024 * 1024;

void* allocate_large(std::size_t size_bytes);
void free_large(void* memory, std::size_t size_bytes);

// A standard allocator over allocate_large, for the views' hash tables.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(std::size_t count) { return static_cast<T*>(allocate_large(count * sizeof(T))); }
  void deallocate(T* memory, std::size_t count) { free_large(memory, count * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace tokenledger
