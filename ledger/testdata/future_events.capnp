@0xe2757932b9d85006;
# Test-only: a record laid out exactly like ledger/events.capnp's Record, carrying what a newer
# build of tokenledger might write (a higher schema version, a new event kind, a new enumerant),
# so that the tests can prove this build refuses such records instead of skipping them.
# Cap'n Proto lays out fields by ordinal and size only, so AnyPointer stands in for any struct.

struct FutureRecord {
  sequence @0 :UInt64;
  recordedAtNs @1 :Int64;
  prevHash @2 :Data;
  schemaVersion @3 :UInt16;
  actor @4 :AnyPointer;
  event :union {
    customerCreated @5 :AnyPointer;
    userCreated @6 :FutureUserCreated;
    userUpdated @7 :AnyPointer;
    passwordChanged @8 :AnyPointer;
    userDeleted @9 :AnyPointer;
    loginFailed @10 :AnyPointer;
    tokenCreated @11 :AnyPointer;
    tokenRevoked @12 :AnyPointer;
    tokenExpired @13 :AnyPointer;
    tokenUsed @14 :AnyPointer;
    legacyKeyMigrated @15 :AnyPointer;
    loginSucceeded @16 :AnyPointer;
    sudoGranted @17 :AnyPointer;
    loginLocked @18 :AnyPointer;
    loginUnlocked @19 :AnyPointer;
    snapshotTaken @20 :AnyPointer;
    somethingNew @21 :Text;
  }
}

# ledger/events.capnp's UserCreated with its enums widened to their 16-bit storage.
struct FutureUserCreated {
  userId @0 :Text;
  customerId @1 :Text;
  login @2 :Text;
  name @3 :Text;
  role @4 :UInt16;
  passwordHash @5 :Text;
  kind @6 :UInt16;
}
