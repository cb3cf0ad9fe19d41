#include "projections/snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace tokenledger {
namespace {

constexpr char magic[8] = {'T', 'L', 'S', 'N', 'A', 'P', '0', '1'};
constexpr std::size_t header_size = sizeof(magic) + 32;

Status write_all(int fd, const void* buffer, std::size_t size) {
  const char* at = static_cast<const char*>(buffer);
  while (size > 0) {
    const ssize_t written = ::write(fd, at, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(std::string("writing the snapshot: ") + std::strerror(errno));
    }
    at += written;
    size -= static_cast<std::size_t>(written);
  }
  return Status::ok();
}

// The payload goes to the file in pieces of this size. Each piece is handed to the disk once
// written (sync_file_range), and the one before it waited for, so at most two pieces are ever
// dirty. Unpaced, a whole snapshot sits in the page cache until the final fsync, and with ext4's
// ordered journal every log sync meanwhile waits for all of it (docs/benchmarks.md).
constexpr std::size_t write_piece_bytes = 1 << 20;

// Writes `size` bytes at the file's current end, which is `*offset`, in pieces as above.
// sync_file_range only paces the writes; durability comes from the fsync that follows, so its
// failure (a file system without it) is not an error.
Status write_behind(int fd, const char* bytes, std::size_t size, off_t* offset) {
  while (size > 0) {
    const std::size_t piece = std::min(size, write_piece_bytes);
    Status status = write_all(fd, bytes, piece);
    if (!status.is_ok()) return status;
    (void)::sync_file_range(fd, *offset, static_cast<off_t>(piece), SYNC_FILE_RANGE_WRITE);
    if (*offset >= static_cast<off_t>(write_piece_bytes)) {
      const off_t previous = *offset - static_cast<off_t>(write_piece_bytes);
      (void)::sync_file_range(
          fd, previous, static_cast<off_t>(write_piece_bytes),
          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    }
    bytes += piece;
    size -= piece;
    *offset += static_cast<off_t>(piece);
  }
  return Status::ok();
}

Status read_all(int fd, void* buffer, std::size_t size) {
  char* at = static_cast<char*>(buffer);
  while (size > 0) {
    const ssize_t got = ::read(fd, at, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return Status::corruption("the snapshot file is shorter than it says");
    at += got;
    size -= static_cast<std::size_t>(got);
  }
  return Status::ok();
}

}  // namespace

Status stage_snapshot_file(kj::ArrayPtr<const capnp::word> words, const Hash& checksum,
                           const std::filesystem::path& path) {
  const auto payload = words.asBytes();
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::io_error("cannot create " + temporary.string() + ": " + std::strerror(errno));
  Status status = write_all(fd, magic, sizeof magic);
  if (status.is_ok()) status = write_all(fd, checksum.data(), checksum.size());
  off_t offset = header_size;
  if (status.is_ok()) {
    status =
        write_behind(fd, reinterpret_cast<const char*>(payload.begin()), payload.size(), &offset);
  }
  if (status.is_ok() && ::fsync(fd) != 0) status = Status::io_error("syncing the snapshot failed");
  ::close(fd);
  if (!status.is_ok()) (void)::unlink(temporary.c_str());
  return status;
}

Status publish_snapshot_file(const std::filesystem::path& path) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::io_error("cannot rename the snapshot into place: " +
                            std::string(std::strerror(errno)));
  }
  // Make the rename itself durable.
  const int dir =
      ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return Status::ok();
}

Status read_snapshot_file(const std::filesystem::path& path, kj::Array<capnp::word>* payload,
                          Hash* checksum) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::not_found("no snapshot at " + path.string());
    return Status::io_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  ::lseek(fd, 0, SEEK_SET);
  if (size < static_cast<off_t>(header_size) ||
      static_cast<std::uint64_t>(size) > snapshot_size_max_bytes ||
      (size - header_size) % sizeof(capnp::word) != 0) {
    return Status::corruption("snapshot: unexpected size " + std::to_string(size));
  }
  char header[header_size];
  Status status = read_all(fd, header, header_size);
  if (!status.is_ok()) return status;
  if (std::memcmp(header, magic, sizeof magic) != 0)
    return Status::unsupported("snapshot: unknown format");
  kj::Array<capnp::word> words =
      kj::heapArray<capnp::word>((size - header_size) / sizeof(capnp::word));
  status = read_all(fd, words.begin(), words.asBytes().size());
  if (!status.is_ok()) return status;
  const auto bytes = words.asBytes();
  *checksum = sha256(std::string_view(reinterpret_cast<const char*>(bytes.begin()), bytes.size()));
  if (std::memcmp(checksum->data(), header + sizeof magic, 32) != 0) {
    return Status::corruption("snapshot: checksum mismatch");
  }
  *payload = std::move(words);
  return Status::ok();
}

}  // namespace tokenledger
