// A vector of fixed-size chunks: elements never move once added (so the views' indexes can hold
// positions and hash through them), and the table of chunks is small enough to stay in cache.
// std::deque would do the first but keeps only two 200-byte tokens per block, which costs an extra
// cache miss on every authentication. Threading: none of its own; see frozen() for the one
// thing another thread may do while the owner appends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/assert.h"
#include "projections/huge_pages.h"

namespace tokenledger {

// Each chunk fills two huge pages (huge_pages.h); the division by the chunk size is by a
// compile-time constant, which the compiler turns into a multiplication.
template <typename T>
class ChunkedVector {
 public:
  static constexpr std::size_t chunk_bytes = 2 * huge_page_size_bytes;
  static constexpr std::size_t chunk_size = chunk_bytes / sizeof(T);
  static_assert(chunk_size > 0);

  ChunkedVector() = default;
  ~ChunkedVector() {
    for (std::size_t i = 0; i < size_; ++i) (*this)[i].~T();
    for (T* chunk : chunks_) free_large(chunk, chunk_bytes);
  }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T& operator[](std::size_t index) { return chunks_[index / chunk_size][index % chunk_size]; }
  const T& operator[](std::size_t index) const {
    return chunks_[index / chunk_size][index % chunk_size];
  }

  // The first size() elements, placed as they are now. Elements never move, and this copy of
  // the chunk table does not change when the owner appends, so another thread may read through
  // it meanwhile: the fields it reads must not be written concurrently, and the vector must
  // outlive it.
  class Frozen {
   public:
    std::size_t size() const { return size_; }
    const T& operator[](std::size_t index) const {
      TL_ASSERT(index < size_);
      return chunks_[index / chunk_size][index % chunk_size];
    }

   private:
    friend class ChunkedVector;
    Frozen(std::vector<const T*> chunks, std::size_t size)
        : chunks_(std::move(chunks)), size_(size) {}
    std::vector<const T*> chunks_;
    std::size_t size_ = 0;
  };
  Frozen frozen() const {
    return Frozen(std::vector<const T*>(chunks_.begin(), chunks_.end()), size_);
  }

  T& emplace_back() {
    if (size_ % chunk_size == 0) chunks_.push_back(static_cast<T*>(allocate_large(chunk_bytes)));
    T* element = new (&chunks_.back()[size_ % chunk_size]) T();
    ++size_;
    return *element;
  }

 private:
  std::vector<T*> chunks_;  // owned; each holds chunk_size elements, the first size_ constructed
  std::size_t size_ = 0;
};

}  // namespace tokenledger
