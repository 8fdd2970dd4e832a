'use strict';
// The Node.js peer of CreditEdge issue 11: POST /v1/score the way a web team would write it — fastify with the route's
// JSON schema built from the manifest, onnxruntime-node on model.fp32.onnx (the applicant plus one reference-substituted
// row per feature in one call), the PDO score, the outcome, the top-4 reasons, and each decision appended as one JSON
// line to a file with group-committed fdatasync before answering. A benchmark fixture, not product.
//
// node server.js [--manifest=models/default/manifest.json] [--port=5090] [--host=127.0.0.1]
//                [--data=./peer-decisions.jsonl] [--durable=true|false]
// (environment: PEER_MANIFEST, PEER_PORT, PEER_HOST, PEER_DATA, PEER_DURABLE; arguments win)

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Fastify = require('fastify');
const ort = require('onnxruntime-node');

function options(argv, env) {
  const given = {};
  for (const arg of argv) {
    const m = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unknown argument '${arg}' (expected --manifest=, --port=, --host=, --data=, --durable=)`);
    given[m[1]] = m[2];
  }
  const pick = (name, fallback) => given[name] ?? env[`PEER_${name.toUpperCase()}`] ?? fallback;
  const durable = pick('durable', 'true');
  if (durable !== 'true' && durable !== 'false') throw new Error(`--durable must be true or false, not '${durable}'`);
  const port = Number(pick('port', '5090'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not '${pick('port')}'`);
  const host = pick('host', '127.0.0.1');
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) throw new Error(`--host must be a loopback address, not '${host}'`);
  return {
    manifest: path.resolve(pick('manifest', path.join(__dirname, '..', '..', 'models', 'default', 'manifest.json'))),
    port,
    host,
    data: path.resolve(pick('data', 'peer-decisions.jsonl')),
    durable: durable === 'true',
  };
}

// The route's JSON schema, generated from the manifest's feature list, validated by fastify with its default Ajv settings
// (as a web team would leave them: unknown fields are dropped rather than refused, types are coerced, the first problem
// is reported). The benchmark sends only valid golden applicants, so this costs the same as the agent's stricter rules.
function requestSchema(manifest) {
  const properties = {};
  const required = [];
  for (const f of manifest.features) {
    if (f.kind === 'categorical') {
      properties[f.name] = { type: 'string', enum: f.codes };
    } else {
      const p = { type: f.wholeNumber ? 'integer' : 'number' };
      if (f.min !== undefined && f.min !== null) p.minimum = f.min;
      if (f.max !== undefined && f.max !== null) p.maximum = f.max;
      properties[f.name] = p;
    }
    if (f.required !== false) required.push(f.name);
  }
  for (const n of manifest.nonInputs ?? []) properties[n.name] = {}; // accepted and ignored
  return {
    type: 'object',
    additionalProperties: false,
    required: ['features'],
    properties: {
      applicationId: { type: 'string', maxLength: 128 },
      features: { type: 'object', additionalProperties: false, required, properties },
    },
  };
}

// PDO scaling exactly as ScorePolicy: points = offset + factor · ln((1 − p) / p), rounded half away from zero.
function policyOf(manifest) {
  const { pdo, baseScore, baseOdds, approveMinScore, declineBelowScore } = manifest.policy;
  const factor = pdo / Math.log(2);
  const offset = baseScore - factor * Math.log(baseOdds);
  return (probability) => {
    const p = Math.min(Math.max(probability, 1e-9), 1 - 1e-9);
    const points = offset + factor * Math.log((1 - p) / p);
    const score = Math.sign(points) * Math.round(Math.abs(points));
    const outcome = score >= approveMinScore ? 'approve' : score < declineBelowScore ? 'decline' : 'refer';
    return { score, outcome };
  };
}

// Reasons exactly as ReasonAttribution.Select: contribution = p0 − p(row i+1) in float32, kept when > 1e-6,
// the largest first, ties in manifest order, at most four.
function reasonsOf(manifest) {
  const table = manifest.features.map((f) => {
    const row = manifest.reasons.find((r) => r.feature === f.name);
    if (!row) throw new Error(`the reason-code table has no row for feature '${f.name}'`);
    return row;
  });
  const references = Float32Array.from(table.map((r) => r.reference));
  const select = (probabilities) => {
    const p0 = probabilities[0];
    const picked = [];
    for (let i = 0; i < table.length; i++) {
      const contribution = Math.fround(p0 - probabilities[i + 1]);
      if (contribution > 1e-6) picked.push({ i, contribution });
    }
    picked.sort((a, b) => b.contribution - a.contribution || a.i - b.i);
    return picked.slice(0, 4).map(({ i }) => ({ code: table[i].code, feature: table[i].feature, text: table[i].text }));
  };
  return { references, select };
}

// Appends decisions as JSON lines. Durable: group commit — the lines that arrive while an fdatasync runs wait for the
// next one, and each caller is answered only after the fdatasync that covers its line. Not durable: written, not synced.
class DecisionLog {
  constructor(file, durable) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.durable = durable;
    this.pending = [];
    this.busy = false;
  }

  append(line) {
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      if (!this.busy) this.flush();
    });
  }

  flush() {
    const batch = this.pending;
    this.pending = [];
    this.busy = true;
    const text = Buffer.from(batch.map((b) => b.line).join(''));
    const done = (err) => {
      for (const b of batch) (err ? b.reject(err) : b.resolve());
      if (this.pending.length > 0) this.flush();
      else this.busy = false;
    };
    writeAll(this.fd, text, (err) => {
      if (err || !this.durable) return done(err);
      fs.fdatasync(this.fd, done);
    });
  }
}

function writeAll(fd, buffer, callback, offset = 0) {
  fs.write(fd, buffer, offset, buffer.length - offset, null, (err, written) => {
    if (err) return callback(err);
    if (offset + written < buffer.length) return writeAll(fd, buffer, callback, offset + written);
    callback(null);
  });
}

async function main() {
  const opts = options(process.argv.slice(2), process.env);
  const manifest = JSON.parse(fs.readFileSync(opts.manifest, 'utf8'));
  const variant = manifest.variants.find((v) => v.name === 'fp32');
  if (!variant) throw new Error(`${opts.manifest} has no fp32 variant`);
  const session = await ort.InferenceSession.create(path.join(path.dirname(opts.manifest), variant.file), {
    intraOpNumThreads: 1, // as the agent's Models:IntraOpThreads default
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const features = manifest.features;
  const f = features.length;
  const { references, select } = reasonsOf(manifest);
  const decide = policyOf(manifest);
  const model = { id: manifest.id, version: manifest.version, sha256: variant.sha256, variant: variant.name };
  const missing = features.map((d) => (d.kind === 'categorical' ? d.codes.indexOf(d.default ?? '') : Number(d.default ?? 0)));
  const log = new DecisionLog(opts.data, opts.durable);

  const app = Fastify({ logger: false, bodyLimit: 16384 });
  app.get('/healthz', async () => 'ok');
  app.get('/readyz', async () => 'ready');
  app.post('/v1/score', { schema: { body: requestSchema(manifest) } }, async (request, reply) => {
    const given = request.body.features;
    const batch = new Float32Array((f + 1) * f);
    for (let i = 0; i < f; i++) {
      const d = features[i];
      const v = given[d.name];
      batch[i] = v === undefined || v === null ? missing[i] : d.kind === 'categorical' ? d.codes.indexOf(String(v)) : v;
    }
    for (let i = 0; i < f; i++) {
      const row = batch.subarray((i + 1) * f, (i + 2) * f);
      row.set(batch.subarray(0, f));
      row[i] = references[i];
    }
    const output = await session.run({ features: new ort.Tensor('float32', batch, [f + 1, f]) });
    const probabilities = output.probability.data;
    const probability = probabilities[0];
    const { score, outcome } = decide(probability);
    const decision = {
      decisionId: crypto.randomUUID(),
      applicationId: request.body.applicationId,
      outcome,
      probability,
      score,
      reasons: select(probabilities),
      model,
      createdAt: new Date().toISOString(),
    };
    await log.append(JSON.stringify(decision) + '\n');
    return decision;
  });
  await app.listen({ port: opts.port, host: opts.host });
  const address = app.server.address();
  console.log(`node peer listening on http://${address.address}:${address.port} (durable ${opts.durable}, log ${opts.data})`);
}

main().catch((err) => {
  console.error(`node peer: ${err.message}`);
  process.exit(1);
});
