#include "projections/snapshot.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>

#include "projections/snapshot.capnp.h"
#include "projections/snapshot_file.h"

namespace tokenledger {

namespace {

constexpr std::uint16_t format_version = 1;

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

}  // namespace

// Turns views into a snapshot (capture, finish) and back (load), through Views' public
// interface; the friend of SnapshotCapture.
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
  out.setSequence(v.sequence());
  out.setRecordedAtNs(v.recorded_at_ns());
  auto customers = out.initCustomers(static_cast<unsigned>(v.customer_count()));
  for (unsigned i = 0; i < v.customer_count(); ++i) {
    const Customer& c = v.customer(i);
    customers[i].setId(text(c.id));
    customers[i].setName(text(c.name));
    customers[i].setCreatedAtNs(c.created_at_ns);
  }
  auto users = out.initUsers(static_cast<unsigned>(v.user_count()));
  for (unsigned i = 0; i < v.user_count(); ++i) {
    const User& u = v.user(i);
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
  std::vector<TokenChanges> changes(v.token_count());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Token& t = v.token(static_cast<TokenIndex>(i));
    changes[i] = TokenChanges{t.ended_at_ns, t.sudo_expires_at_ns, t.state, t.revoke_reason};
  }
  auto usage = out.initUsage(static_cast<unsigned>(v.usage_slot_count()));
  for (unsigned i = 0; i < v.usage_slot_count(); ++i) {
    const TokenUsage& u = v.usage_slot(i).usage;
    usage[i].setToken(v.usage_slot(i).token);
    usage[i].setLastUsedAtNs(u.last_used_at_ns);
    usage[i].setClientIp(text(u.client_ip));
    usage[i].setUserAgent(text(u.user_agent));
    usage[i].setUseCount(u.use_count);
  }
  return SnapshotCapture(std::move(message), std::move(changes), v.frozen_tokens());
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

// Fills empty views from a snapshot through the same Views::add_* that apply() uses, so every
// index they keep is rebuilt here too; numbers stored for enums go through enum_from_number,
// the record decoder's check.
Status SnapshotAccess::load(schema::Snapshot::Reader in, Views& v) {
  const auto bad = [](const std::string& why) { return Status::corruption("snapshot: " + why); };
  std::string problem;
  for (auto c : in.getCustomers()) {
    Customer customer;
    customer.id = str(c.getId());
    customer.name = str(c.getName());
    customer.created_at_ns = c.getCreatedAtNs();
    CustomerIndex index = 0;
    if (!v.add_customer(std::move(customer), &index, &problem)) return bad(problem);
  }
  for (auto u : in.getUsers()) {
    if (u.getCustomer() >= v.customer_count()) return bad("user of an unknown customer");
    User user;
    if (!enum_from_number(u.getRole(), &user.role) || !enum_from_number(u.getKind(), &user.kind) ||
        !enum_from_number(u.getLockReason(), &user.lock_reason)) {
      return bad("user field out of range");
    }
    user.id = str(u.getId());
    user.customer = u.getCustomer();
    user.login = str(u.getLogin());
    user.name = str(u.getName());
    user.locked = u.getLocked();
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
      if (u.getLoginLockedUntilNs() == no_time) return bad("user field out of range");
      user.login_locked_until_ns = u.getLoginLockedUntilNs();
    }
    UserIndex index = 0;
    if (!v.add_user(std::move(user), &index, &problem)) return bad(problem);
  }
  const auto tokens = in.getTokens();
  v.reserve_token_ids(tokens.size());
  v.reserve_token_secrets(tokens.size());
  for (auto t : tokens) {
    if (t.getUser() >= v.user_count()) return bad("token of an unknown user");
    Token token;
    if (!enum_from_number(t.getState(), &token.state) ||
        !enum_from_number(t.getOrigin(), &token.origin) ||
        !enum_from_number(t.getRevokeReason(), &token.revoke_reason) ||
        t.getSecretSha256().size() != 32 || t.getScopes() >= 16) {
      return bad("token field out of range");
    }
    const auto id = t.getId();
    if (!parse_token_id(std::string_view(id.cStr(), id.size()), &token.id)) return bad("token id");
    token.scopes = t.getScopes();
    token.user = t.getUser();
    std::memcpy(token.secret_sha256.data(), t.getSecretSha256().begin(), 32);
    token.created_at_ns = t.getCreatedAtNs();
    token.expires_at_ns = t.getExpiresAtNs();
    token.ended_at_ns = t.getEndedAtNs();
    token.sudo_expires_at_ns = t.getSudoExpiresAtNs();
    token.name = str(t.getName());
    for (auto s : t.getServices()) token.services.push_back(str(s));
    TokenIndex index = 0;
    if (!v.add_token(std::move(token), &index, &problem)) return bad(problem);
  }
  for (auto u : in.getUsage()) {
    if (u.getToken() >= v.token_count()) return bad("usage of an unknown token");
    bool first = false;
    TokenUsage& usage = v.usage_of(u.getToken(), &first);
    if (!first) return bad("usage of a token listed twice");
    usage = TokenUsage{u.getLastUsedAtNs(), str(u.getClientIp()), str(u.getUserAgent()),
                       u.getUseCount()};
  }
  v.set_position(in.getSequence(), in.getRecordedAtNs());
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
  return stage_snapshot_file(image.words, image.checksum, path);
}

Status publish_snapshot(const std::filesystem::path& path) {
  return publish_snapshot_file(path);
}

Status load_snapshot(const std::filesystem::path& path, Views* views, Hash* head_hash,
                     Hash* payload_sha256) {
  kj::Array<capnp::word> payload;
  Hash checksum{};
  Status read = read_snapshot_file(path, &payload, &checksum);
  if (!read.is_ok()) return read;
  if (payload_sha256 != nullptr) *payload_sha256 = checksum;
  return load_snapshot_payload(payload, views, head_hash);
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
