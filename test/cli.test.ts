// The `fleetdesk` command as a user runs it: stats, simulate, and usage errors.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../src/main/adapters/embedded-broker';
import { hashSecret, INTERNAL_USERNAME, verifySecret } from '../src/main/core/security/broker-policy';
import { Store } from '../src/main/core/storage/store';
import { validateTelemetry } from '../src/main/core/telemetry/validate';
import { syntheticFeatureCsv } from '../src/main/core/maintenance/synthetic';
import { CLI_PATH, tempDir } from './helpers';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [CLI_PATH, ...args], { encoding: 'utf8' });

describe('fleetdesk CLI', () => {
  it('stats prints the counts of a database as JSON', async () => {
    const file = path.join(tempDir(), 's.sqlite');
    const store = new Store(file);
    const p = validateTelemetry(JSON.stringify({ vehicle_id: 'A', timestamp: 1_763_884_800_000, lat: 1, lon: 1 }));
    store.telemetry.writeBatch(p.ok ? [{ point: p.point, flags: [], source: 'mqtt' }] : [], [{ receivedMs: 1, source: 'mqtt', topic: null, reason: 'x', payload: new Uint8Array([1]) }], 1);
    store.close();
    const { stdout } = await cli('stats', '--db', file);
    expect(JSON.parse(stdout)).toEqual({ telemetryRows: 1, vehicles: 1, deadLetters: 1, alerts: 0, geofences: 0 });
  });

  it('simulate publishes valid demo telemetry for every vehicle to any broker', async () => {
    const broker = await startEmbeddedBroker({ port: 0, security: () => ({ allowAnonymous: true, fleetTokenHash: null, vehicleSecretHash: () => null, internalSecret: 'x' }) });
    // the test listens as FleetDesk itself would; the simulator publishes anonymously, as the demo allows
    const sub = await mqtt.connectAsync(broker.url, { username: INTERNAL_USERNAME, password: 'x' });
    const seen = new Map<string, number>();
    const bad: string[] = [];
    sub.on('message', (topic, payload) => {
      const id = topic.split('/')[1]!;
      const r = validateTelemetry(payload, id);
      if (!r.ok) bad.push(r.reason);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    });
    await sub.subscribeAsync('fleet/+/telemetry', { qos: 1 });
    const { stdout } = await cli('simulate', '--broker', broker.url, '--vehicles', '7', '--rate', '4', '--duration', '1');
    expect(JSON.parse(stdout).published).toBeGreaterThanOrEqual(21);
    await new Promise((r) => setTimeout(r, 200));
    expect(bad).toEqual([]);
    expect([...seen.keys()].sort()).toEqual(['VH-001', 'VH-002', 'VH-003', 'VH-004', 'VH-005', 'VH-006', 'VH-007']);
    await sub.endAsync();
    await broker.close();
  });

  it('maintenance evaluate prints per-fold recall, precision and AUC, then a JSON summary', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'features.csv');
    writeFileSync(file, syntheticFeatureCsv({ vehicles: 250, weeks: 40, seed: 3 }));
    const { stdout } = await cli('maintenance', 'evaluate', '--features', file, '--folds', '5');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const [i, l] of lines.slice(0, 5).entries()) expect(l).toMatch(new RegExp(`^fold ${i + 1}: train \\d+ rows, test \\d+ rows .*recall-first threshold [\\d.]+: recall [\\d.]+ precision [\\d.]+ \\| at 0\\.5: recall [\\d.]+ precision (n/a|[\\d.]+) \\| ROC AUC [\\d.]+$`));
    const summary = JSON.parse(lines[5]!);
    expect(summary).toMatchObject({ folds: 5, target_recall: 0.8 });
    expect(summary.roc_auc).toBeGreaterThan(0.6);
    expect(summary.seconds).toBeGreaterThan(0);
    // a table without the label column is refused with the reason
    writeFileSync(file, 'week,vehicle_id,avg_rpm\n2026-01-05,V1,1500\n');
    const err = await cli('maintenance', 'evaluate', '--features', file).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('missing column "max_rpm"');
  });

  it('explains a usage error and exits 2', async () => {
    const err = await cli('simulate', '--vehicles', 'many').catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('fleetdesk: --broker is required');
    const err2 = await cli('stats', '--db', '/nonexistent/x.sqlite').catch((e) => e);
    expect(err2.stderr).toContain('database not found: /nonexistent/x.sqlite');
  });

  it('export keeps private positions out of the file unless a supervisor unlocks it with the password and a reason', async () => {
    const file = path.join(tempDir(), 'p.sqlite');
    const store = new Store(file);
    const t0 = 1_763_884_800_000;
    const points = [];
    for (let i = 0; i < 20; i++) {
      const p = validateTelemetry(JSON.stringify({ vehicle_id: 'VAN-1', timestamp: t0 + i * 10_000, lat: 52.48, lon: -1.9 + i * 0.001, driver_id: i < 10 ? 'DRV-ANA' : 'DRV-PRIV' }));
      if (p.ok) points.push({ point: p.point, flags: [], source: 'mqtt' as const });
    }
    store.telemetry.writeBatch(points, [], t0);
    store.privacy.save({ kind: 'driver', subjectId: 'DRV-PRIV', schedule: null, note: 'personal use' }, t0);
    store.settings.set('privacy.supervisorHash', hashSecret('depot supervisor 7'));
    store.close();
    const out = path.join(tempDir(), 'positions.csv');
    const args = ['export', '--db', file, '--report', 'positions', '--format', 'csv', '--from', new Date(t0 - 1000).toISOString(), '--to', new Date(t0 + 600_000).toISOString(), '--out', out];
    expect(JSON.parse((await cli(...args)).stdout).rows).toBe(10);
    expect(readFileSync(out, 'utf8')).not.toContain('DRV-PRIV');
    const noReason = await cli(...args, '--include-private').catch((e) => e);
    expect([noReason.code, noReason.stderr]).toEqual([2, expect.stringContaining('--include-private needs --reason')]);
    const wrong = await run(process.execPath, [CLI_PATH, ...args, '--include-private', '--reason', 'insurance claim 17'], { encoding: 'utf8', env: { ...process.env, FLEETDESK_SUPERVISOR_PASSWORD: 'guess' } }).catch((e) => e);
    expect(wrong.code).toBe(2);
    const unlocked = await run(process.execPath, [CLI_PATH, ...args, '--include-private', '--reason', 'insurance claim 17'], { encoding: 'utf8', env: { ...process.env, FLEETDESK_SUPERVISOR_PASSWORD: 'depot supervisor 7' } });
    expect(JSON.parse(unlocked.stdout).rows).toBe(20);
    expect(readFileSync(out, 'utf8')).toContain('DRV-PRIV');
    const audit = new Store(file);
    const actions = audit.audit.list(100).map((a) => a.action);
    audit.close();
    expect(actions).toEqual(expect.arrayContaining(['privacy_unlock_refused', 'privacy_access', 'export']));
  });

  it('adds a hub user with the password from standard input; the user signs in with it', async () => {
    const db = path.join(tempDir(), 'users.sqlite');
    new Store(db).close();
    const add = (name: string, role: string, password: string) => execFileSync(process.execPath, [CLI_PATH, 'users', 'add', name, '--role', role, '--db', db], { input: `${password}\n`, encoding: 'utf8' });
    expect(add('ana', 'admin', 'correct horse')).toContain('user ana added (admin)');
    expect(() => add('bob', 'wizard', 'correct horse')).toThrow(/--role must be one of viewer, dispatcher, supervisor, admin/);
    expect(() => add('bob', 'viewer', 'short')).toThrow(/at least 8 characters/);
    expect(() => add('ANA', 'viewer', 'correct horse')).toThrow(/already a user "ANA"/);
    const store = new Store(db);
    const ana = store.users.byName('ana')!;
    store.close();
    expect(ana.role).toBe('admin');
    expect(verifySecret('correct horse', ana.passwordHash)).toBe(true);
    expect(ana.passwordHash).not.toContain('correct horse');
  });

  it('jobs: adds one from the command line, imports a CSV (naming the lines it refused), lists them', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'j.sqlite');
    const added = await cli('jobs', 'add', '--db', db, '--ref', 'Acme Ltd', '--stop', '52.5,-1.9,Yard,pickup', '--stop', '52.52,-1.95,Shop', '--priority', 'high');
    expect(added.stdout).toBe('job #1 added with 2 stop(s)\n');
    await expect(cli('jobs', 'add', '--db', db, '--ref', 'X', '--stop', '95,1')).rejects.toMatchObject({ stderr: expect.stringContaining('give LAT,LON within ±90, ±180') });
    const csv = path.join(dir, 'jobs.csv');
    writeFileSync(csv, 'ref,kind,name,lat,lon\nBolt,service,Gate,52.6,-1.8\nBad,dropoff,,52.6,\n');
    const imported = await cli('jobs', 'import', csv, '--db', db).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect(imported).toMatchObject({ code: 1, stdout: '1 job(s) imported, 1 line(s) refused\n', stderr: expect.stringContaining('refused: line 3: impossible position 52.6, ') });
    const { stdout } = await cli('jobs', 'list', '--open', '--db', db);
    expect(stdout.trim().split('\n')).toEqual(['#2\tplanned\t-\tBolt\t1:Gate(pending)', '#1\tplanned\t-\tAcme Ltd\t1:Yard(pending) 2:Shop(pending)']);
    const store = new Store(db);
    expect(store.jobs.get(1)).toMatchObject({ priority: 'high', createdBy: 'fleetdesk jobs', stops: [{ kind: 'pickup' }, { kind: 'dropoff' }] });
    store.close();
  });
});
