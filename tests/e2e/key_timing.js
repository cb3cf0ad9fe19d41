// Key guessing through the network: does a wrong key that is one character away from a real one
// get its 401 in a different time than any other wrong key? The server hashes every presented
// key before looking it up, so it should not: a near miss lands in a random slot like any guess.
//
// Sends ROUNDS rounds over one keep-alive connection; each round sends one random 32-character
// key and one near miss (the real key with one character changed) in random order, so both kinds
// meet the same conditions. Every answer must be 401. Prints the median latency of each kind and
// their ratio, and fails when the medians differ by more than 25% (plus 20 µs for loopback noise):
// a real leak (an early exit on a matching prefix) would show far beyond that.
// Usage: TL_BASE=http://127.0.0.1:PORT TL_REAL_KEY=... ROUNDS=2000 node key_timing.js
'use strict';
const http = require('http');
const crypto = require('crypto');

const base = new URL(process.env.TL_BASE);
const realKey = process.env.TL_REAL_KEY;
const rounds = Number(process.env.ROUNDS || 2000);
if (!realKey || realKey.length < 8) throw new Error('TL_REAL_KEY is missing');
if (base.hostname !== '127.0.0.1') throw new Error('only 127.0.0.1 may be contacted');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(key) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { host: '127.0.0.1', port: base.port, path: '/tokens/self', agent,
        headers: { 'Fastly-Key': key } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode,
                                      ns: Number(process.hrtime.bigint() - started) }));
      });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function nearMiss() {
  // Change one character at a random position to another character of the key alphabet.
  const position = crypto.randomInt(realKey.length);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let replacement;
  do {
    replacement = alphabet[crypto.randomInt(alphabet.length)];
  } while (replacement === realKey[position]);
  return realKey.slice(0, position) + replacement + realKey.slice(position + 1);
}

function randomKey() {
  return crypto.randomBytes(24).toString('base64url').slice(0, realKey.length);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

(async () => {
  for (let i = 0; i < 50; i++) await request(randomKey());  // warm up the connection
  const times = { random: [], near: [] };
  const statuses = {};
  for (let i = 0; i < rounds; i++) {
    const kinds = crypto.randomInt(2) === 0 ? ['random', 'near'] : ['near', 'random'];
    for (const kind of kinds) {
      const answer = await request(kind === 'random' ? randomKey() : nearMiss());
      statuses[answer.status] = (statuses[answer.status] || 0) + 1;
      times[kind].push(answer.ns);
    }
  }
  agent.destroy();
  const total = 2 * rounds;
  if (statuses[401] !== total) {
    console.error(`FAILED: not every guess was answered 401: ${JSON.stringify(statuses)}`);
    process.exit(1);
  }
  const random = median(times.random) / 1000;
  const near = median(times.near) / 1000;
  const ratio = near / random;
  console.log(`ok - ${total} guessed keys over one connection, all 401; median µs: ` +
              `random ${random.toFixed(1)}, one character from a real key ${near.toFixed(1)} ` +
              `(ratio ${ratio.toFixed(3)})`);
  if (Math.abs(near - random) > 0.25 * random + 20) {
    console.error('FAILED: a near miss is answered in a measurably different time');
    process.exit(1);
  }
})().catch((error) => {
  console.error(`FAILED: ${error.message}`);
  process.exit(1);
});
