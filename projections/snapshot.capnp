@0xf93545d5139015a9;
# The snapshot of the views: what TokenService loads at start-up instead of replaying the whole
# log. It is derived data, never the truth: a snapshot that is missing, damaged, from another
# log or from another format is ignored and the views are rebuilt from the log.
#
# File layout (projections/snapshot.h): "TLSNAP01" (8 bytes), SHA-256 of the payload (32 bytes),
# payload = Cap'n Proto flat-array message of Snapshot. Enum-like fields are stored as integers
# and checked on load. No field holds a secret in plain text (the views hold none).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tokenledger::schema");

struct Snapshot {
  formatVersion @0 :UInt16;
  sequence @1 :UInt64;          # the last log record folded in
  headHash @2 :Data;            # SHA-256 of that record: ties the snapshot to this log
  recordedAtNs @3 :Int64;
  customers @4 :List(SnapshotCustomer);
  users @5 :List(SnapshotUser);
  tokens @6 :List(SnapshotToken);
  usage @7 :List(SnapshotUsage);
}

struct SnapshotCustomer {
  id @0 :Text;
  name @1 :Text;
  createdAtNs @2 :Int64;
}

struct SnapshotUser {
  id @0 :Text;
  customer @1 :UInt32;          # index into customers
  login @2 :Text;
  name @3 :Text;
  role @4 :UInt8;
  kind @5 :UInt8;
  locked @6 :Bool;
  lockReason @7 :UInt8;
  deleted @8 :Bool;
  passwordHash @9 :Text;        # absent: cannot log in
  twoFactorKeyId @10 :Text;     # absent: no two-factor
  twoFactorNonce @11 :Data;
  twoFactorCiphertext @12 :Data;
  consecutiveFailures @13 :UInt32;
  createdAtNs @14 :Int64;
  updatedAtNs @15 :Int64;
  lastLoginAtNs @16 :Int64;
  loginLocked @17 :Bool;        # password logins locked after failures, until loginLockedUntilNs
  loginLockedUntilNs @18 :Int64;
  lastOneTimePasswordStep @19 :UInt64;
}

struct SnapshotToken {
  id @0 :Text;
  state @1 :UInt8;
  scopes @2 :UInt8;
  origin @3 :UInt8;
  revokeReason @4 :UInt8;
  user @5 :UInt32;              # index into users
  secretSha256 @6 :Data;
  createdAtNs @7 :Int64;
  expiresAtNs @8 :Int64;
  endedAtNs @9 :Int64;
  sudoExpiresAtNs @10 :Int64;
  name @11 :Text;
  services @12 :List(Text);
}

struct SnapshotUsage {
  token @0 :UInt32;             # index into tokens
  lastUsedAtNs @1 :Int64;
  clientIp @2 :Text;
  userAgent @3 :Text;
  useCount @4 :UInt64;
}
