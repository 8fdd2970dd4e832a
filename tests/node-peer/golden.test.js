'use strict';
// node --test tests/node-peer (after npm ci): the peer alone on the default package — every golden applicant gets the
// golden fp32 probability, every answered decision is a line of the decision file, bad input is a 400. The comparison
// command checks the peer against the agent itself (score, outcome, reasons); this needs no agent.

const { test } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const golden = fs.readFileSync(path.join(root, 'models', 'default', 'golden.jsonl'), 'utf8')
  .split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));

async function startPeer(durable) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-peer-'));
  const data = path.join(dir, 'decisions.jsonl');
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '--port=0', `--data=${data}`, `--durable=${durable}`]);
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/[^ ]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (chunk) => reject(new Error(String(chunk))));
    child.on('exit', (code) => reject(new Error(`peer exited with ${code}`)));
  });
  return { url, data, dir, stop: () => new Promise((resolve) => { child.on('exit', resolve); child.kill('SIGTERM'); }) };
}

async function score(url, body) {
  const response = await fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

for (const durable of [true, false]) {
  test(`golden applicants get the golden fp32 probability and are stored (durable ${durable})`, async () => {
    const peer = await startPeer(durable);
    try {
      const ids = [];
      await Promise.all(golden.map(async (g, i) => {
        const { status, json } = await score(peer.url, { applicationId: `g-${i}`, features: g.features });
        assert.strictEqual(status, 200);
        assert.ok(Math.abs(json.probability - g.expected.fp32) <= 1e-6, `golden #${i}: ${json.probability} vs ${g.expected.fp32}`);
        assert.ok(['approve', 'refer', 'decline'].includes(json.outcome));
        assert.ok(Number.isInteger(json.score));
        assert.ok(json.reasons.length <= 4);
        ids.push(json.decisionId);
      }));
      const stored = fs.readFileSync(peer.data, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l).decisionId);
      assert.deepStrictEqual([...stored].sort(), [...ids].sort());
    } finally {
      await peer.stop();
      fs.rmSync(peer.dir, { recursive: true, force: true });
    }
  });
}

test('a body that breaks the manifest schema is a 400 and stores nothing', async () => {
  const peer = await startPeer(true);
  try {
    const { status } = await score(peer.url, { features: { AGE: 'x', EDUCATION: '9' } });
    assert.strictEqual(status, 400);
    const out = { ...golden[0].features, AGE: 200 }; // above max
    assert.strictEqual((await score(peer.url, { features: out })).status, 400);
    assert.strictEqual(fs.readFileSync(peer.data, 'utf8'), '');
  } finally {
    await peer.stop();
    fs.rmSync(peer.dir, { recursive: true, force: true });
  }
});
