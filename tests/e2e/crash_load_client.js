// The load for crash_load.sh: WORKERS concurrent clients creating and revoking tokens over
// HTTP as fast as the server answers, until the server dies. Every answered success is
// appended to ACKS (one JSON line each) only after its answer arrived, and every revoke is
// noted before it is sent, so that the checker knows which outcomes are certain.
// Environment: TL_BASE, TL_KEYS (file: one sudo-enabled key per line), ACKS.
'use strict';
const fs = require('fs');

const base = process.env.TL_BASE;
const keys = fs.readFileSync(process.env.TL_KEYS, 'utf8').trim().split('\n');
const acks = process.env.ACKS;
const note = (entry) => fs.appendFileSync(acks, JSON.stringify(entry) + '\n');

async function worker(key, index) {
  const mine = [];
  for (let round = 0; ; round++) {
    try {
      if (mine.length > 3 && round % 3 === 2) {
        const victim = mine.splice(Math.floor(Math.random() * mine.length), 1)[0];
        note({ revoke_sent: victim.id });
        const answer = await fetch(`${base}/tokens/${victim.id}`, {
          method: 'DELETE', headers: { 'Fastly-Key': key } });
        if (answer.status === 204) note({ revoked: victim.id, secret: victim.secret });
      } else {
        const answer = await fetch(`${base}/tokens`, {
          method: 'POST',
          headers: { 'Fastly-Key': key, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `name=load-${index}-${round}` });
        if (answer.status === 200) {
          const token = await answer.json();
          note({ created: token.id, secret: token.access_token });
          mine.push({ id: token.id, secret: token.access_token });
        }
      }
    } catch (error) {
      return;  // the server is gone
    }
  }
}

Promise.all(keys.map((key, i) => worker(key, i))).then(() => process.exit(0));
