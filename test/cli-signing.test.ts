// edgernn keygen / sign / inspect --public-key / run --public-key, as users run them
// (node dist/host/cli/bin.js): the round trip, and exit code 1 for unsigned, changed or
// otherwise-signed models.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/paths.js';
import { randomTrajectoryModel } from './helpers/trajectory.js';
import { Runtime } from '../host/runtime/runtime.js';
import { readErnn } from '../host/format/reader.js';
import { writeNpy } from '../host/io/npy.js';

const BIN = join(ROOT, 'dist', 'host', 'cli', 'bin.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, EDGERNN_PUBLIC_KEY: '' } });
const cliWithEnv = (env: Record<string, string>, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...env } });
let tmp: string, model: string, signed: string, key: string, pub: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgernn-sign-'));
  model = join(tmp, 'traj.ernn');
  signed = join(tmp, 'traj.signed.ernn');
  key = join(tmp, 'release.key');
  pub = join(tmp, 'release.pub');
  writeFileSync(model, randomTrajectoryModel(3));
  const frames = [];
  for (let f = 0; f < 12; f++) frames.push(`${f * 10}\t1\t${(0.4 * f).toFixed(2)}\t${Math.sin(f / 3).toFixed(3)}`);
  writeFileSync(join(tmp, 'scene.txt'), frames.join('\n') + '\n');
});

describe('edgernn keygen and sign', () => {
  it('keygen writes a PKCS#8 private key (owner-only) and an SPKI public key, and refuses to overwrite', () => {
    const r = cli('keygen', '--out', join(tmp, 'release'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*release\.key \(private key: keep it secret\) and .*release\.pub/);
    expect(r.stdout).toMatch(/key id [0-9a-f]{16}/);
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(key).mode & 0o077).toBe(0);
    const again = cli('keygen', '--out', join(tmp, 'release'));
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/release\.key exists; pass --force/);
  });

  it('sign, then inspect --public-key prints "signature: valid" and run --public-key streams', () => {
    const s = cli('sign', model, '--key', key, '-o', signed);
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/signed .*traj\.ernn \(\d+ bytes\) with key [0-9a-f]{16}: wrote .*traj\.signed\.ernn \(\d+ bytes\)/);
    expect(readFileSync(signed).length).toBe(readFileSync(model).length + 96);
    const i = cli('inspect', signed, '--public-key', pub);
    expect(i.status).toBe(0);
    expect(i.stdout).toMatch(/^signature: valid \(Ed25519, key [0-9a-f]{16}\)$/m);
    expect(JSON.parse(cli('inspect', signed, '--public-key', pub, '--json').stdout).signature).toMatchObject({ algorithm: 'Ed25519', verified: true });
    expect(cli('inspect', signed).stdout).toMatch(/^signature: present \(Ed25519, key [0-9a-f]{16}\), not checked/m);
    expect(cli('inspect', model).stdout).toMatch(/^signature: none$/m);
    const run = cli('run', signed, '--frames', join(tmp, 'scene.txt'), '--public-key', pub);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').length).toBe(12);
  });

  it('unsigned, changed and otherwise-signed models: exit code 1 and a SignatureError', () => {
    const unsigned = cli('inspect', model, '--public-key', pub);
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toMatch(/SignatureError: the model is not signed, but a public key was given/);
    const bytes = readFileSync(signed);
    bytes[100]! ^= 1; // a layer record
    writeFileSync(join(tmp, 'changed.ernn'), bytes);
    const changed = cli('inspect', join(tmp, 'changed.ernn'), '--public-key', pub);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/SignatureError: the model's signature does not match its bytes/);
    expect(cli('keygen', '--out', join(tmp, 'other')).status).toBe(0);
    const wrong = cli('run', signed, '--frames', join(tmp, 'scene.txt'), '--public-key', join(tmp, 'other.pub'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/SignatureError: the model was signed with key [0-9a-f]{16}, not with the given public key/);
  });

  it('the signed file verifies through the API too, and sign refuses what is not a loadable .ernn', async () => {
    const rt = await Runtime.create();
    expect(rt.load(readFileSync(signed), { publicKey: readFileSync(pub, 'utf8') }).info.inputSize).toBeGreaterThan(0);
    expect((await rt.loadVerified(readFileSync(signed), { publicKey: readFileSync(pub, 'utf8') })).info.inputSize).toBeGreaterThan(0);
    writeFileSync(join(tmp, 'junk.ernn'), 'not a model');
    const junk = cli('sign', join(tmp, 'junk.ernn'), '--key', key, '-o', join(tmp, 'x.ernn'));
    expect(junk.status).toBe(2);
    expect(junk.stderr).toMatch(/is not an \.ernn file/);
    const broken = readFileSync(model);
    broken[70]! ^= 1;
    writeFileSync(join(tmp, 'broken.ernn'), broken);
    expect(cli('sign', join(tmp, 'broken.ernn'), '--key', key, '-o', join(tmp, 'x.ernn')).status).toBe(1);
    expect(cli('sign', model, '--key', pub, '-o', join(tmp, 'x.ernn')).stderr).toMatch(/is not a private key/);
  });

  it('infer and eval take --public-key too', () => {
    const x = join(tmp, 'x.npy');
    const feats = readErnn(readFileSync(model)).inputSize;
    writeFileSync(x, writeNpy({ shape: [1, 3, feats], data: new Float32Array(3 * feats) }));
    const ok = cli('infer', signed, '--input', x, '--output', join(tmp, 'y.npy'), '--public-key', pub);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const refused = cli('infer', model, '--input', x, '--output', join(tmp, 'y.npy'), '--public-key', pub);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/SignatureError: the model is not signed, but a public key was given/);
    const ev = cli('eval', model, '--data', join(tmp, 'scene.txt'), '--public-key', pub);
    expect(ev.status).toBe(1);
    expect(ev.stderr).toMatch(/SignatureError: the model is not signed/);
  });

  it('EDGERNN_PUBLIC_KEY makes every command that loads a model require the signature', () => {
    const env = { EDGERNN_PUBLIC_KEY: pub };
    expect(cliWithEnv(env, 'inspect', signed).stdout).toMatch(/^signature: valid/m);
    const run = cliWithEnv(env, 'run', model, '--frames', join(tmp, 'scene.txt'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SignatureError: the model is not signed, but a public key was given/);
    expect(cliWithEnv(env, 'run', signed, '--frames', join(tmp, 'scene.txt')).status).toBe(0);
    const missing = cliWithEnv({ EDGERNN_PUBLIC_KEY: join(tmp, 'nope.pub') }, 'inspect', signed);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/public key '.*nope\.pub' \(from EDGERNN_PUBLIC_KEY\) cannot be read/);
  });

  it('Runtime.create({ publicKey }) refuses every unsigned model, also when load() gets no key', async () => {
    const publicKey = readFileSync(pub, 'utf8');
    const rt = await Runtime.create({ publicKey });
    expect(rt.requiresSignature).toBe(true);
    expect(rt.load(readFileSync(signed)).info.inputSize).toBeGreaterThan(0);
    expect((await rt.loadVerified(readFileSync(signed))).info.inputSize).toBeGreaterThan(0);
    expect(() => rt.load(readFileSync(model))).toThrow(/SignatureError|not signed/);
    await expect(rt.loadVerified(readFileSync(model))).rejects.toThrow(/not signed/);
    const open = await Runtime.create();
    expect(open.requiresSignature).toBe(false);
    await expect(open.loadVerified(readFileSync(signed))).rejects.toThrow(/needs \{ publicKey \}/);
  });
});
