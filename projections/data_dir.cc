#include "projections/data_dir.h"

#include <sys/stat.h>

namespace tokenledger {

Result<std::size_t> restrict_data_directory(const std::filesystem::path& data) {
  ::umask(077);
  std::size_t changed = 0;
  std::error_code error;
  const auto restrict = [&](const std::filesystem::path& path, bool directory) -> Status {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      return Status::io_error("cannot inspect " + path.string());
    }
    if (S_ISLNK(info.st_mode)) return Status::ok();  // a link's own mode means nothing
    const mode_t wanted = directory ? 0700 : 0600;
    if ((info.st_mode & 07777) == wanted) return Status::ok();
    if (::chmod(path.c_str(), wanted) != 0) {
      return Status::io_error("cannot restrict " + path.string() + " to mode " +
                              (directory ? "0700" : "0600"));
    }
    ++changed;
    return Status::ok();
  };
  if (!std::filesystem::is_directory(data, error)) {
    return Status::not_found(data.string() + " is not a directory");
  }
  Status status = restrict(data, true);
  if (!status.is_ok()) return status;
  for (auto it = std::filesystem::recursive_directory_iterator(data, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_symlink(error)) continue;
    status = restrict(it->path(), it->is_directory(error));
    if (!status.is_ok()) return status;
  }
  if (error) return Status::io_error("cannot walk " + data.string() + ": " + error.message());
  return changed;
}

}  // namespace tokenledger
