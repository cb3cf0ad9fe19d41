#include "projections/data_dir.h"

#include <fcntl.h>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>

namespace tokenledger {

Result<std::size_t> restrict_data_directory(const std::filesystem::path& data) {
  ::umask(077);
  std::size_t changed = 0;
  std::error_code error;
  const auto restrict = [&](const std::filesystem::path& path) -> Status {
    // Through a descriptor opened without following a link, so that a link swapped in between
    // looking and changing cannot point the change elsewhere.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ELOOP) return Status::ok();  // a symbolic link: its own mode means nothing
      return Status::io_error("cannot open " + path.string() + " to restrict it");
    }
    struct stat info {};
    Status status = Status::ok();
    if (::fstat(fd, &info) != 0) {
      status = Status::io_error("cannot inspect " + path.string());
    } else {
      const mode_t wanted = S_ISDIR(info.st_mode) ? 0700 : 0600;
      if ((info.st_mode & 07777) != wanted) {
        if (::fchmod(fd, wanted) == 0) {
          ++changed;
        } else {
          status = Status::io_error("cannot restrict " + path.string() + " to its owner");
        }
      }
    }
    ::close(fd);
    return status;
  };
  if (!std::filesystem::is_directory(data, error)) {
    return Status::not_found(data.string() + " is not a directory");
  }
  Status status = restrict(data);
  if (!status.is_ok()) return status;
  for (auto it = std::filesystem::recursive_directory_iterator(data, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_symlink(error)) continue;
    status = restrict(it->path());
    if (!status.is_ok()) return status;
  }
  if (error) return Status::io_error("cannot walk " + data.string() + ": " + error.message());
  return changed;
}

}  // namespace tokenledger
