@0xc219dae0c4327c1b;
# The on-disk format of every record in tokenledger's event log.
#
# WARNING: this file is a storage format that must decode forever. It evolves only by ADDING
# fields (with the next ordinal) and union members (new event kinds). Never renumber, retype,
# rename with a new meaning, or reuse an ordinal; never remove anything. When a field or kind is
# added, raise `currentSchemaVersion` so that an older build refuses the log instead of silently
# skipping what it does not understand (docs/adr/0005-schema-evolution.md).
#
# No field anywhere may hold a token secret, a password or a TOTP secret in plain text: tokens
# are stored as the SHA-256 of their secret, passwords as argon2id PHC strings, TOTP secrets
# sealed with a key that lives outside the log.
#
# Grammar of one stored record (docs/adr/0002-record-format-and-chain.md):
#   key   = sequence as 8 bytes big-endian (1, 2, 3, ... no gaps)
#   value = Cap'n Proto flat-array message (segment table + segments, unpacked) of `Record`
#   hash(record) = SHA-256(value), and record[n].prevHash = hash(record[n-1]), 32 zero bytes
#   for record 1.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tokenledger::schema");

const currentSchemaVersion :UInt16 = 2;
# Version 2 (issue 15) added: LoginSucceeded.oneTimePasswordStep, UserUpdated.oneTimePasswordStep,
# the kinds loginLocked, loginUnlocked and snapshotTaken, and the enum UnlockReason.

struct Record {
  sequence @0 :UInt64;           # equals the record's key
  recordedAtNs @1 :Int64;        # UTC, nanoseconds since the Unix epoch; never decreases
  prevHash @2 :Data;             # SHA-256 of the previous record's stored bytes (32 bytes)
  schemaVersion @3 :UInt16;      # currentSchemaVersion of the build that wrote it
  actor @4 :Actor;
  event :union {
    customerCreated @5 :CustomerCreated;
    userCreated @6 :UserCreated;
    userUpdated @7 :UserUpdated;
    passwordChanged @8 :PasswordChanged;
    userDeleted @9 :UserDeleted;
    loginFailed @10 :LoginFailed;
    tokenCreated @11 :TokenCreated;
    tokenRevoked @12 :TokenRevoked;
    tokenExpired @13 :TokenExpired;
    tokenUsed @14 :TokenUsed;
    legacyKeyMigrated @15 :LegacyKeyMigrated;
    loginSucceeded @16 :LoginSucceeded;
    sudoGranted @17 :SudoGranted;
    loginLocked @18 :LoginLocked;
    loginUnlocked @19 :LoginUnlocked;
    snapshotTaken @20 :SnapshotTaken;
  }
}

# Who caused the event. Every field may be absent: an operator command or the system itself
# (expiry, lock after failed logins) has no user or token behind it.
struct Actor {
  userId @0 :Text;
  tokenId @1 :Text;
  clientIp @2 :Text;
  userAgent @3 :Text;
  requestId @4 :Text;
}

enum Role {
  user @0;
  billing @1;
  engineer @2;
  superuser @3;
}

enum UserKind {
  person @0;
  globalApiToken @1;             # the synthetic "Global API Token" user of legacy-key migration
}

enum Scope {
  global @0;
  globalRead @1;
  purgeSelect @2;
  purgeAll @3;
}

enum TokenOrigin {
  api @0;
  legacyMigration @1;
}

enum RevokeReason {
  owner @0;                      # the token's own user
  superuser @1;                  # a superuser of the same customer
  bulk @2;                       # part of an all-or-nothing bulk revoke
  userDeleted @3;                # its user was deleted by an operator who forced it
}

enum LockReason {
  none @0;                       # used when unlocking
  superuser @1;                  # set by a superuser or operator
  failedLogins @2;               # too many consecutive failed logins
}

enum LoginFailureReason {
  wrongPassword @0;
  oneTimePasswordMissing @1;
  oneTimePasswordWrong @2;
  accountLocked @3;
}

struct CustomerCreated {
  customerId @0 :Text;
  name @1 :Text;
}

struct UserCreated {
  userId @0 :Text;
  customerId @1 :Text;
  login @2 :Text;
  name @3 :Text;
  role @4 :Role;
  passwordHash @5 :Text;         # argon2id PHC string; absent for users that cannot log in
  kind @6 :UserKind;
}

# A TOTP secret sealed (encrypted and authenticated) with a key kept outside the log.
struct SealedSecret {
  keyId @0 :Text;
  nonce @1 :Data;
  ciphertext @2 :Data;
}

# Only the members that are not `unchanged` change.
struct UserUpdated {
  userId @0 :Text;
  name :union {
    unchanged @1 :Void;
    set @2 :Text;
  }
  role :union {
    unchanged @3 :Void;
    set @4 :Role;
  }
  locked :union {
    unchanged @5 :Void;
    set @6 :Bool;
  }
  lockReason @7 :LockReason;
  twoFactor :union {
    unchanged @8 :Void;
    enabled @9 :SealedSecret;
    disabled @10 :Void;
  }
  oneTimePasswordStep @11 :UInt64;  # the time step of the code that confirmed the change; 0: none
}

struct PasswordChanged {
  userId @0 :Text;
  passwordHash @1 :Text;         # argon2id PHC string
}

struct UserDeleted {
  userId @0 :Text;
  forced @1 :Bool;               # its live tokens were revoked (reason userDeleted) in the same command
}

# A password (and, for two-factor users, a one-time password) was verified. It resets the count
# of consecutive failures, and tells auditors when each credential was last proven.
struct LoginSucceeded {
  userId @0 :Text;
  oneTimePasswordUsed @1 :Bool;
  # The time step (Unix seconds / 30) of the one-time password accepted; 0: none. A code of this
  # step or an earlier one is never accepted again for the user (RFC 6238 section 5.2).
  oneTimePasswordStep @2 :UInt64;
}

# Too many failed password logins: password logins (POST /tokens, POST /sudo) for the user are
# refused until untilNs. Its tokens keep working: this is a throttle, not a kill switch.
struct LoginLocked {
  userId @0 :Text;
  untilNs @1 :Int64;
  failures @2 :UInt32;           # the consecutive failures that caused it
}

enum UnlockReason {
  expired @0;                    # its time passed (recorded by the server's background work)
  operator @1;                   # `tokenledger unlock` on the server's machine
  superuser @2;                  # a superuser of the customer (PUT /user/{id} locked=false)
}

struct LoginUnlocked {
  userId @0 :Text;
  reason @1 :UnlockReason;
}

# A snapshot of the views covering records up to coversSequence was stored, with this SHA-256 of
# its payload. Start-up uses a snapshot only when the log records it: an edited snapshot whose
# checksum was recomputed is not one the server wrote.
struct SnapshotTaken {
  coversSequence @0 :UInt64;
  payloadSha256 @1 :Data;        # 32 bytes
}

struct LoginFailed {
  userId @0 :Text;
  reason @1 :LoginFailureReason;
  consecutiveFailures @2 :UInt32;
}

struct TokenCreated {
  tokenId @0 :Text;
  userId @1 :Text;
  customerId @2 :Text;
  name @3 :Text;
  scopes @4 :List(Scope);
  services @5 :List(Text);       # empty: all services
  expiry :union {
    never @6 :Void;
    atNs @7 :Int64;
  }
  secretSha256 @8 :Data;         # 32 bytes; the secret itself is never stored
  origin @9 :TokenOrigin;
  createdAtNs @10 :Int64;        # original creation time (a migrated key keeps its own)
}

struct TokenRevoked {
  tokenId @0 :Text;
  revokedByUserId @1 :Text;      # absent when an operator or the system revoked it
  reason @2 :RevokeReason;
}

struct TokenExpired {
  tokenId @0 :Text;
  expiresAtNs @1 :Int64;         # the expiry that passed
}

# Coalesced usage: one record stands for `useCount` authentications since the previous one.
struct TokenUsed {
  tokenId @0 :Text;
  lastUsedAtNs @1 :Int64;
  clientIp @2 :Text;
  userAgent @3 :Text;
  useCount @4 :UInt64;
}

struct LegacyKeyMigrated {
  customerId @0 :Text;
  userId @1 :Text;               # the synthetic "Global API Token" user
  tokenId @2 :Text;              # the token that carries the old key's hash
}

# POST /sudo: the token may create tokens without a password until expiresAtNs.
struct SudoGranted {
  tokenId @0 :Text;
  userId @1 :Text;
  expiresAtNs @2 :Int64;
}
