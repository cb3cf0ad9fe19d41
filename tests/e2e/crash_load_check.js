// The checker of crash_load.sh: after a restart, every acknowledged create must authenticate
// (unless a revoke of it was sent), and every acknowledged revoke must stay revoked.
// Prints "checked N" and exits 1 with the losses listed if any.
'use strict';
const fs = require('fs');

async function main() {
  const base = process.env.TL_BASE;
  const lines = fs.readFileSync(process.env.ACKS, 'utf8').split('\n').filter((l) => l);
  const created = new Map();
  const revokeSent = new Set();
  const revoked = new Map();
  for (const line of lines) {
    let entry;
    try { entry = JSON.parse(line); } catch { continue; }  // a line cut by the kill
    if (entry.created) created.set(entry.created, entry.secret);
    if (entry.revoke_sent) revokeSent.add(entry.revoke_sent);
    if (entry.revoked) revoked.set(entry.revoked, entry.secret);
  }
  const losses = [];
  let checked = 0;
  const status = async (secret) =>
    (await fetch(`${base}/tokens/self`, { headers: { 'Fastly-Key': secret } })).status;
  for (const [id, secret] of created) {
    if (revokeSent.has(id)) continue;
    checked++;
    const got = await status(secret);
    if (got !== 200) losses.push(`acknowledged create ${id} answers ${got}`);
  }
  for (const [id, secret] of revoked) {
    checked++;
    const got = await status(secret);
    if (got !== 401) losses.push(`acknowledged revoke ${id} answers ${got}`);
  }
  console.log(`checked ${checked} ${losses.length}`);
  if (losses.length) {
    console.error(losses.slice(0, 20).join('\n'));
    process.exit(1);
  }
}
main();
