// Ack after commit, proven the hard way: kill -9 FleetDesk in the middle of a QoS 1 flood, restart it,
// and every message the broker accepted must end up in the database exactly once.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, requireTool, startMosquitto, startServe, telemetry, tempDir, waitFor, type Mosquitto } from './helpers';

let broker: Mosquitto | null = null;
const procs: ChildProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  await broker?.stop();
});

async function startFleetDesk(brokerUrl: string, dbFile: string): Promise<ChildProcess> {
  const { proc } = await startServe(['--broker', brokerUrl, '--db', dbFile, '--port', '0', '--osmand-port', 'off'], 'pipe');
  procs.push(proc);
  return proc;
}

function countRows(dbFile: string): { total: number; uniq: number } {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS total, count(DISTINCT vehicle_id || ts_ms) AS uniq FROM telemetry').get() as { total: number; uniq: number };
  } finally {
    db.close();
  }
}

describe.runIf(requireTool('mosquitto'))('a crash during ingest', () => {
  it('loses no message the broker accepted: kill -9 mid-flood, restart, all stored exactly once', async () => {
    broker = await startMosquitto();
    const dbFile = path.join(tempDir(), 'crash.sqlite');
    const first = await startFleetDesk(broker.url, dbFile);
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'crash-publisher' });
    const TOTAL = 6000;
    const t0 = Date.UTC(2026, 10, 23, 8);
    let acked = 0;
    let killedAt = -1;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const id = `K-${i % 200}`;
      const msg = JSON.stringify(telemetry({ vehicle_id: id, timestamp: t0 + Math.floor(i / 200) * 1000 }));
      sends.push(pub.publishAsync(`fleet/${id}/telemetry`, msg, { qos: 1 }).then(() => acked++));
      if (i === 2500) {
        await Promise.all(sends.slice(-50));
        first.kill('SIGKILL');
        killedAt = countRows(dbFile).total;
      }
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    expect(acked).toBe(TOTAL);
    expect(killedAt).toBeLessThan(TOTAL);
    await startFleetDesk(broker.url, dbFile);
    await waitFor(() => countRows(dbFile).total >= TOTAL, 'every accepted message to be stored', 30_000, 200);
    await new Promise((r) => setTimeout(r, 300));
    expect(countRows(dbFile)).toEqual({ total: TOTAL, uniq: TOTAL });
    await pub.endAsync();
  });
});

describe('a crash of FleetDesk with its embedded broker', () => {
  // The broker lives in the process that is killed, so whatever it acknowledged must already be in SQLite:
  // it acknowledges a publish only after the commit, and the vehicle resends the rest on reconnect.
  it('loses no acknowledged message: kill -9 mid-flood, restart on the same port, all stored exactly once', async () => {
    const dbFile = path.join(tempDir(), 'crash-embedded.sqlite');
    const port = await freePort();
    const args = ['--embedded-broker-port', String(port), '--allow-anonymous', '--db', dbFile, '--port', '0', '--osmand-port', 'off'];
    const first = (await startServe(args, 'pipe')).proc;
    procs.push(first);
    const url = `mqtt://127.0.0.1:${port}`;
    const pub = await mqtt.connectAsync(url, { clientId: 'crash-vehicle-gateway', clean: false, reconnectPeriod: 100 });
    const TOTAL = 6000;
    const t0 = Date.UTC(2026, 10, 23, 8);
    const ackedIds: string[] = [];
    let killedAt = -1;
    let ackedAtKill = -1;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const id = `E-${i % 200}`;
      const ts = t0 + Math.floor(i / 200) * 1000;
      const msg = JSON.stringify(telemetry({ vehicle_id: id, timestamp: ts }));
      sends.push(pub.publishAsync(`fleet/${id}/telemetry`, msg, { qos: 1 }).then(() => ackedIds.push(`${id}|${ts}`)));
      if (i === 2500) {
        await Promise.all(sends.slice(-50));
        first.kill('SIGKILL');
        ackedAtKill = ackedIds.length;
        await new Promise((r) => first.once('exit', r));
        killedAt = countRows(dbFile).total;
        // every message acknowledged before the kill is already committed
        const db = new Database(dbFile, { readonly: true });
        const stored = new Set((db.prepare('SELECT vehicle_id, ts_ms FROM telemetry').raw().all() as [string, number][]).map(([v, t]) => `${v}|${t}`));
        db.close();
        expect(ackedIds.slice(0, ackedAtKill).filter((k) => !stored.has(k))).toEqual([]);
        procs.push((await startServe(args, 'pipe')).proc);
      }
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(sends);
    expect(ackedIds.length).toBe(TOTAL);
    expect(killedAt).toBeLessThan(TOTAL);
    await waitFor(() => countRows(dbFile).total >= TOTAL, 'every acknowledged message to be stored', 30_000, 200);
    await new Promise((r) => setTimeout(r, 300));
    expect(countRows(dbFile)).toEqual({ total: TOTAL, uniq: TOTAL });
    await pub.endAsync();
  });
});
