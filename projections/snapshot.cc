#include "projections/snapshot.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "projections/snapshot.capnp.h"

namespace tokenledger {

namespace {

constexpr char magic[8] = {'T', 'L', 'S', 'N', 'A', 'P', '0', '1'};
constexpr std::uint16_t format_version = 1;
constexpr std::size_t header_size = sizeof(magic) + 32;
// A snapshot larger than this is refused rather than read (about 40 million tokens).
constexpr std::uint64_t snapshot_size_max_bytes = 16ull << 30;

capnp::Text::Reader text(const std::string& s) {
  return capnp::Text::Reader(s.data(), s.size());
}
capnp::Data::Reader data(const void* bytes, std::size_t size) {
  return capnp::Data::Reader(static_cast<const capnp::byte*>(bytes), size);
}
std::string str(capnp::Text::Reader t) {
  return std::string(t.cStr(), t.size());
}
std::string bytes(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

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
// dirty. Without this a whole snapshot (64 MB at 400,000 tokens) sat in the page cache until the
// final fsync, and with ext4's ordered journal every log sync meanwhile waited for all of it:
// revokes stalled for up to 200 ms.
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

// The friend of Views that turns it into a snapshot and back.
class SnapshotAccess {
 public:
  static SnapshotCapture capture(const Views& v);
  static SnapshotImage finish(SnapshotCapture capture, const Hash& head_hash);
  static Status load(schema::Snapshot::Reader in, Views& v);
};

SnapshotCapture::SnapshotCapture(std::unique_ptr<capnp::MallocMessageBuilder> message,
                                 std::vector<TokenChanges> changes,
                                 ChunkedVector<Token>::Frozen tokens)
    : message_(std::move(message)), changes_(std::move(changes)), tokens_(std::move(tokens)) {
  TL_ASSERT(changes_.size() == tokens_.size());
}
SnapshotCapture::SnapshotCapture(SnapshotCapture&&) noexcept = default;
SnapshotCapture::~SnapshotCapture() = default;

SnapshotCapture SnapshotAccess::capture(const Views& v) {
  // First segment of 8 MiB: few segments.
  auto message = std::make_unique<capnp::MallocMessageBuilder>(1u << 20);
  auto out = message->initRoot<schema::Snapshot>();
  out.setFormatVersion(format_version);
  out.setSequence(v.sequence_);
  out.setRecordedAtNs(v.recorded_at_ns_);
  auto customers = out.initCustomers(static_cast<unsigned>(v.customers_.size()));
  for (unsigned i = 0; i < v.customers_.size(); ++i) {
    const Customer& c = v.customers_[i];
    customers[i].setId(text(c.id));
    customers[i].setName(text(c.name));
    customers[i].setCreatedAtNs(c.created_at_ns);
  }
  auto users = out.initUsers(static_cast<unsigned>(v.users_.size()));
  for (unsigned i = 0; i < v.users_.size(); ++i) {
    const User& u = v.users_[i];
    auto b = users[i];
    b.setId(text(u.id));
    b.setCustomer(u.customer);
    b.setLogin(text(u.login));
    b.setName(text(u.name));
    b.setRole(static_cast<std::uint8_t>(u.role));
    b.setKind(static_cast<std::uint8_t>(u.kind));
    b.setLocked(u.locked);
    b.setLockReason(static_cast<std::uint8_t>(u.lock_reason));
    b.setDeleted(u.deleted);
    if (u.password_hash) b.setPasswordHash(text(*u.password_hash));
    if (u.two_factor) {
      b.setTwoFactorKeyId(text(u.two_factor->key_id));
      b.setTwoFactorNonce(data(u.two_factor->nonce.data(), u.two_factor->nonce.size()));
      b.setTwoFactorCiphertext(
          data(u.two_factor->ciphertext.data(), u.two_factor->ciphertext.size()));
    }
    b.setConsecutiveFailures(u.consecutive_failures);
    b.setCreatedAtNs(u.created_at_ns);
    b.setUpdatedAtNs(u.updated_at_ns);
    b.setLastLoginAtNs(u.last_login_at_ns);
    b.setLoginLocked(u.login_locked_until_ns != no_time);
    if (u.login_locked_until_ns != no_time) b.setLoginLockedUntilNs(u.login_locked_until_ns);
    b.setLastOneTimePasswordStep(u.last_one_time_password_step);
  }
  // Of each token only what may still change (views.h), copied plainly: this runs while
  // commands wait, and the tokens' encoding in finish() does not.
  std::vector<TokenChanges> changes(v.tokens_.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Token& t = v.tokens_[i];
    changes[i] = TokenChanges{t.ended_at_ns, t.sudo_expires_at_ns, t.state, t.revoke_reason};
  }
  auto usage = out.initUsage(static_cast<unsigned>(v.usages_.size()));
  for (unsigned i = 0; i < v.usages_.size(); ++i) {
    const TokenUsage& u = v.usages_[i].usage;
    usage[i].setToken(v.usages_[i].token);
    usage[i].setLastUsedAtNs(u.last_used_at_ns);
    usage[i].setClientIp(text(u.client_ip));
    usage[i].setUserAgent(text(u.user_agent));
    usage[i].setUseCount(u.use_count);
  }
  return SnapshotCapture(std::move(message), std::move(changes), v.tokens_.frozen());
}

SnapshotImage SnapshotAccess::finish(SnapshotCapture capture, const Hash& head_hash) {
  const ChunkedVector<Token>::Frozen& frozen = capture.tokens_;
  auto root = capture.message_->getRoot<schema::Snapshot>();
  root.setHeadHash(data(head_hash.data(), head_hash.size()));
  auto tokens = root.initTokens(static_cast<unsigned>(frozen.size()));
  for (unsigned i = 0; i < frozen.size(); ++i) {
    // From the token only fields that never change once it exists: commands may be changing the
    // others, which come from the capture.
    const Token& t = frozen[i];
    const TokenChanges& changes = capture.changes_[i];
    auto b = tokens[i];
    b.setState(static_cast<std::uint8_t>(changes.state));
    b.setRevokeReason(static_cast<std::uint8_t>(changes.revoke_reason));
    b.setEndedAtNs(changes.ended_at_ns);
    b.setSudoExpiresAtNs(changes.sudo_expires_at_ns);
    b.setId(capnp::Text::Reader(t.id.data(), t.id.size()));
    b.setScopes(t.scopes);
    b.setOrigin(static_cast<std::uint8_t>(t.origin));
    b.setUser(t.user);
    b.setSecretSha256(data(t.secret_sha256.data(), t.secret_sha256.size()));
    b.setCreatedAtNs(t.created_at_ns);
    b.setExpiresAtNs(t.expires_at_ns);
    b.setName(text(t.name));
    if (!t.services.empty()) {
      auto services = b.initServices(static_cast<unsigned>(t.services.size()));
      for (unsigned s = 0; s < t.services.size(); ++s) services.set(s, text(t.services[s]));
    }
  }
  SnapshotImage image;
  image.words = capnp::messageToFlatArray(*capture.message_);
  const auto payload = image.words.asBytes();
  image.checksum =
      sha256(std::string_view(reinterpret_cast<const char*>(payload.begin()), payload.size()));
  return image;
}

Status SnapshotAccess::load(schema::Snapshot::Reader in, Views& v) {
  const auto bad = [](const std::string& why) { return Status::corruption("snapshot: " + why); };
  v.sequence_ = in.getSequence();
  v.recorded_at_ns_ = in.getRecordedAtNs();
  for (auto c : in.getCustomers()) {
    const auto index = static_cast<CustomerIndex>(v.customers_.size());
    Customer& customer = v.customers_.emplace_back();
    customer.id = str(c.getId());
    customer.name = str(c.getName());
    customer.created_at_ns = c.getCreatedAtNs();
    if (!v.customers_by_id_.emplace(customer.id, index).second) return bad("duplicate customer");
  }
  for (auto u : in.getUsers()) {
    const auto index = static_cast<UserIndex>(v.users_.size());
    if (u.getCustomer() >= v.customers_.size()) return bad("user of an unknown customer");
    if (u.getRole() > static_cast<int>(Role::superuser) ||
        u.getKind() > static_cast<int>(UserKind::global_api_token) ||
        u.getLockReason() > static_cast<int>(LockReason::failed_logins)) {
      return bad("user field out of range");
    }
    User& user = v.users_.emplace_back();
    user.id = str(u.getId());
    user.customer = u.getCustomer();
    user.login = str(u.getLogin());
    user.name = str(u.getName());
    user.role = static_cast<Role>(u.getRole());
    user.kind = static_cast<UserKind>(u.getKind());
    user.locked = u.getLocked();
    user.lock_reason = static_cast<LockReason>(u.getLockReason());
    user.deleted = u.getDeleted();
    if (u.hasPasswordHash()) user.password_hash = str(u.getPasswordHash());
    if (u.hasTwoFactorKeyId()) {
      user.two_factor = SealedSecret{str(u.getTwoFactorKeyId()), bytes(u.getTwoFactorNonce()),
                                     bytes(u.getTwoFactorCiphertext())};
    }
    user.consecutive_failures = u.getConsecutiveFailures();
    user.created_at_ns = u.getCreatedAtNs();
    user.updated_at_ns = u.getUpdatedAtNs();
    user.last_login_at_ns = u.getLastLoginAtNs();
    user.last_one_time_password_step = u.getLastOneTimePasswordStep();
    if (u.getLoginLocked()) {
      if (user.deleted || u.getLoginLockedUntilNs() == no_time)
        return bad("user field out of range");
      user.login_locked_until_ns = u.getLoginLockedUntilNs();
      v.login_lock_queue_.emplace(user.login_locked_until_ns, index);
    }
    if (!v.users_by_id_.emplace(user.id, index).second) return bad("duplicate user");
    Customer& customer = v.customers_[user.customer];
    customer.users.push_back(index);
    if (!user.deleted) {
      ++customer.live_user_count;
      if (!user.login.empty() && !v.users_by_login_.emplace(user.login, index).second) {
        return bad("duplicate login");
      }
    }
    if (user.kind == UserKind::global_api_token) customer.global_api_token_user = index;
  }
  const auto tokens = in.getTokens();
  v.tokens_by_id_.reserve(tokens.size());
  v.tokens_by_secret_.reserve(tokens.size());
  for (auto t : tokens) {
    const auto index = static_cast<TokenIndex>(v.tokens_.size());
    if (t.getUser() >= v.users_.size()) return bad("token of an unknown user");
    if (t.getState() > static_cast<int>(TokenState::expired) ||
        t.getOrigin() > static_cast<int>(TokenOrigin::legacy_migration) ||
        t.getRevokeReason() > static_cast<int>(RevokeReason::user_deleted) ||
        t.getSecretSha256().size() != 32 || t.getScopes() >= 16) {
      return bad("token field out of range");
    }
    Token& token = v.tokens_.emplace_back();
    const auto id = t.getId();
    if (!parse_token_id(std::string_view(id.cStr(), id.size()), &token.id)) return bad("token id");
    token.state = static_cast<TokenState>(t.getState());
    token.scopes = t.getScopes();
    token.origin = static_cast<TokenOrigin>(t.getOrigin());
    token.revoke_reason = static_cast<RevokeReason>(t.getRevokeReason());
    token.user = t.getUser();
    token.customer = v.users_[token.user].customer;
    std::memcpy(token.secret_sha256.data(), t.getSecretSha256().begin(), 32);
    token.created_at_ns = t.getCreatedAtNs();
    token.expires_at_ns = t.getExpiresAtNs();
    token.ended_at_ns = t.getEndedAtNs();
    token.sudo_expires_at_ns = t.getSudoExpiresAtNs();
    token.name = str(t.getName());
    for (auto s : t.getServices()) token.services.push_back(str(s));
    if (!v.tokens_by_id_.insert(index).second) return bad("duplicate token id");
    if (!v.tokens_by_secret_.insert(token.secret_sha256, secret_entry_of(token, index))) {
      return bad("duplicate token secret");
    }
    User& user = v.users_[token.user];
    Customer& customer = v.customers_[token.customer];
    user.tokens.push_back(index);
    customer.tokens.push_back(index);
    if (token.state == TokenState::live) {
      ++user.live_token_count;
      ++customer.live_token_count;
      ++v.live_token_count_;
      if (token.expires_at_ns != no_time) v.expiry_queue_.emplace(token.expires_at_ns, index);
    }
  }
  for (auto u : in.getUsage()) {
    if (u.getToken() >= v.tokens_.size()) return bad("usage of an unknown token");
    Token& token = v.tokens_[u.getToken()];
    if (token.usage_slot != no_usage_slot) return bad("usage of a token listed twice");
    token.usage_slot = static_cast<std::uint32_t>(v.usages_.size());
    Views::UsageSlot& slot = v.usages_.emplace_back();
    slot.token = u.getToken();
    slot.usage = TokenUsage{u.getLastUsedAtNs(), str(u.getClientIp()), str(u.getUserAgent()),
                            u.getUseCount()};
  }
  return Status::ok();
}

SnapshotCapture capture_snapshot(const Views& views) {
  return SnapshotAccess::capture(views);
}

SnapshotImage finish_snapshot(SnapshotCapture capture, const Hash& head_hash) {
  return SnapshotAccess::finish(std::move(capture), head_hash);
}

Status write_snapshot(const Views& views, const Hash& head_hash,
                      const std::filesystem::path& path) {
  return store_snapshot(finish_snapshot(capture_snapshot(views), head_hash), path);
}

Status store_snapshot(const SnapshotImage& image, const std::filesystem::path& path) {
  Status staged = stage_snapshot(image, path);
  if (!staged.is_ok()) return staged;
  return publish_snapshot(path);
}

Status stage_snapshot(const SnapshotImage& image, const std::filesystem::path& path) {
  const auto payload = image.words.asBytes();
  const Hash& checksum = image.checksum;
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

Status publish_snapshot(const std::filesystem::path& path) {
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

Status load_snapshot(const std::filesystem::path& path, Views* views, Hash* head_hash,
                     Hash* payload_sha256) {
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
  const auto payload = words.asBytes();
  const Hash checksum =
      sha256(std::string_view(reinterpret_cast<const char*>(payload.begin()), payload.size()));
  if (std::memcmp(checksum.data(), header + sizeof magic, 32) != 0) {
    return Status::corruption("snapshot: checksum mismatch");
  }
  if (payload_sha256 != nullptr) *payload_sha256 = checksum;
  return load_snapshot_payload(words, views, head_hash);
}

Status load_snapshot_payload(kj::ArrayPtr<const capnp::word> payload, Views* views,
                             Hash* head_hash) {
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = payload.size() * 2;
    capnp::FlatArrayMessageReader reader(payload, options);
    const auto root = reader.getRoot<schema::Snapshot>();
    if (root.getFormatVersion() != format_version)
      return Status::unsupported("snapshot: format version");
    if (root.getHeadHash().size() != 32) return Status::corruption("snapshot: head hash");
    std::memcpy(head_hash->data(), root.getHeadHash().begin(), 32);
    return SnapshotAccess::load(root, *views);
  } catch (const kj::Exception& error) {
    return Status::corruption("snapshot: " + std::string(error.getDescription().cStr()));
  }
}

}  // namespace tokenledger
