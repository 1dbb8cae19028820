// The `fleetdesk` command: the same core as the desktop app, headless (serve, simulate, replay, export, stats).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import workerPath from '../main/worker/engine.worker?modulePath';
import { loadCertificate } from '../main/adapters/tls-cert';
import { isLoopback, startHubServer } from '../main/app/hub-server';
import { SimPublisher } from '../main/adapters/sim-publisher';
import { redactUrl } from '../main/adapters/mqtt-subscriber';
import { Store } from '../main/core/storage/store';
import { replay } from '../main/core/replay/replay';
import { FleetService } from '../main/app/service';
import { FileSecretStore, secretsFileFor } from '../main/core/security/secret-store';
import { EXPORT_FORMATS, REPORT_NAMES, type ExportFormat, type ReportName } from '../shared/reports';
import { buildReport, reportMeta, ReportError, validateReportRequest } from '../main/core/reports/reports';
import { writeReport } from '../main/core/reports/writers';
import { evaluateTimeOrdered, parseFeatureCsv } from '../main/core/maintenance/evaluate';
import { PrivacyPolicy, SUPERVISOR_PASSWORD_KEY } from '../main/core/privacy/privacy';
import { hashSecret, verifySecret } from '../main/core/security/broker-policy';
import { ROLES, type Role } from '../shared/contract/users';
import { MIN_PASSWORD } from '../main/domains/users/accounts';
import { DEPOT_ID } from '../main/domains/federation/wire';
import { UsageError } from './usage-error';
import { jobsCommand } from './jobs';

const USAGE = `fleetdesk <command> [options]

  serve      [--port 4780] [--host 127.0.0.1] [--db fleetdesk.sqlite]
             [--broker URL [--broker-username U] | --embedded-broker-port 1883
              [--embedded-broker-host 127.0.0.1] [--allow-anonymous]
              [--tls-port 8883 --tls-cert FILE --tls-key FILE]]
             [--demo [--demo-vehicles 60] [--demo-rate 1]]
             [--osmand-port 5055 | --osmand-port off] [--osmand-host 127.0.0.1]
             [--retention-days 90] [--mbtiles FILE]... [--require-sign-in]
             [--https-cert FILE --https-key FILE]
             [--depot-id ID --upstream URL [--upstream-username U] [--forward-rate 20000]
              | --headquarters [--depots-broker URL]]
             Headless FleetDesk with the same UI at http://HOST:PORT. A --host other than
             127.0.0.1/localhost/::1 makes it a hub: HTTPS/WSS only (with the certificate given,
             or one made on first start beside the database; its fingerprint is printed) and
             every screen signs in (as with --require-sign-in); the first sign-in creates the
             admin, or add one with 'fleetdesk users add'.
             Broker password: FLEETDESK_BROKER_PASSWORD, or stored once with 'fleetdesk secrets set'.
             A depot forwards what it commits to headquarters' broker (--upstream; password in
             FLEETDESK_UPSTREAM_PASSWORD or 'fleetdesk secrets set upstream-password'), at most
             --forward-rate rows a second; --headquarters stores what depots send to its broker.
  simulate   --broker URL [--vehicles 60] [--rate 1] [--duration S] [--seed 42]
             Publishes the demo fleet (rate = reports per vehicle per second).
  replay     --fences FILE.geojson --positions FILE.csv --events-out FILE.ndjson
             Runs positions through the geofence engine; writes one JSON event per line.
  export     --db FILE --report NAME --from ISO --to ISO --format FORMAT --out FILE
             [--vehicle ID]... [--time-zone UTC]
             Writes a report for unattended use. Reports: ${REPORT_NAMES.join(', ')}.
             Formats: ${EXPORT_FORMATS.join(', ')} (map formats for reports with geometry).
             Times in the file are in --time-zone (an IANA name; default UTC).
  maintenance evaluate --features FILE.csv [--folds 5] [--target-recall 0.8]
             Time-ordered evaluation of the breakdown model (expanding folds by week): per fold
             recall, precision and ROC AUC at the recall-first threshold and at 0.5, then one
             JSON line with the means and the seconds taken.
  stats      --db FILE     Prints row counts as JSON.
  jobs       add --ref NAME --stop LAT,LON[,NAME[,KIND]]... [--priority normal] [--notes TEXT] [--db FILE]
             list [--open] [--db FILE]   ·   import FILE.csv [--db FILE]
             Dispatching work from scripts: a job of ordered stops (KIND pickup, dropoff or service);
             the CSV has a header with ref, lat, lon (and kind, name, radius_m, window_start,
             window_end, priority, notes); rows with the same ref are one job's stops in order.
             A running FleetDesk shows them at its next list; assign them in its Jobs tab.
  users      add NAME --role viewer|dispatcher|supervisor|admin [--db fleetdesk.sqlite]
             Adds a user of a hub; the password is read from standard input.
  secrets    set|clear broker-password|upstream-password [--db fleetdesk.sqlite]
             Stores the external (or upstream) broker's password (read from standard input) in
             a file beside the database that only its owner can read (mode 600).
`;


function num(value: string | undefined, name: string, dflt: number, min = 0): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${value}"`);
  return n;
}

function need(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      broker: { type: 'string' },
      'broker-username': { type: 'string' },
      'embedded-broker-port': { type: 'string' },
      'embedded-broker-host': { type: 'string' },
      'allow-anonymous': { type: 'boolean' },
      'require-sign-in': { type: 'boolean' },
      'https-cert': { type: 'string' },
      'https-key': { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      demo: { type: 'boolean' },
      'demo-vehicles': { type: 'string' },
      'demo-rate': { type: 'string' },
      'osmand-port': { type: 'string' },
      'osmand-host': { type: 'string' },
      'retention-days': { type: 'string' },
      mbtiles: { type: 'string', multiple: true },
      'depot-id': { type: 'string' },
      upstream: { type: 'string' },
      'upstream-username': { type: 'string' },
      'forward-rate': { type: 'string' },
      headquarters: { type: 'boolean' },
      'depots-broker': { type: 'string' },
    },
  });
  if (Boolean(values['depot-id']) !== Boolean(values.upstream)) throw new UsageError('a depot needs both --depot-id and --upstream');
  if (values['depot-id'] && !DEPOT_ID.test(values['depot-id'])) throw new UsageError('--depot-id: 1–32 letters, digits, - or _');
  if (values['depot-id'] && values.headquarters) throw new UsageError('use either --depot-id/--upstream or --headquarters, not both');
  if (values.broker && values['embedded-broker-port']) throw new UsageError('use either --broker or --embedded-broker-port, not both');
  const dbFile = path.resolve(values.db ?? 'fleetdesk.sqlite');
  const log = (line: string) => console.error(`[fleetdesk] ${line}`);
  const host = values.host ?? '127.0.0.1';
  const local = isLoopback(host);
  // off loopback the hub speaks HTTPS/WSS only: the admin's certificate, or one made on first start
  if (Boolean(values['https-cert']) !== Boolean(values['https-key'])) throw new UsageError('give both --https-cert and --https-key');
  const givenCert = values['https-cert'] ? loadCertificate(values['https-cert'], values['https-key']!) : undefined;
  const service = new FleetService({
    dbFile,
    workerPath,
    broker: values.broker
      ? {
          url: values.broker,
          username: values['broker-username'],
          password: process.env.FLEETDESK_BROKER_PASSWORD ?? new FileSecretStore(secretsFileFor(dbFile), { warn: log }).get('broker.password') ?? undefined,
        }
      : undefined,
    embeddedBroker: values.broker
      ? undefined
      : {
          port: num(values['embedded-broker-port'], 'embedded-broker-port', 1883),
          host: values['embedded-broker-host'],
          // The demo is a sandbox on loopback: anyone may publish to it, as the README says.
          allowAnonymous: values['allow-anonymous'] || values.demo ? true : undefined,
          tls: values['tls-port'] ? { port: num(values['tls-port'], 'tls-port', 8883), certFile: need(values['tls-cert'], 'tls-cert'), keyFile: need(values['tls-key'], 'tls-key') } : undefined,
        },
    demo: values.demo
      ? { vehicles: num(values['demo-vehicles'], 'demo-vehicles', 60, 1), rateHz: num(values['demo-rate'], 'demo-rate', 1, 0.01) }
      : undefined,
    retention: values['retention-days'] ? { rawRetentionDays: num(values['retention-days'], 'retention-days', 90, 1) } : undefined,
    mbtilesFiles: values.mbtiles,
    federation: values['depot-id']
      ? {
          depot: {
            depotId: values['depot-id'],
            upstream: { url: values.upstream!, username: values['upstream-username'], password: process.env.FLEETDESK_UPSTREAM_PASSWORD ?? new FileSecretStore(secretsFileFor(dbFile), { warn: log }).get('upstream.password') ?? undefined },
            maxRowsPerSec: values['forward-rate'] ? num(values['forward-rate'], 'forward-rate', 20_000, 1) : undefined,
          },
        }
      : values.headquarters
        ? { headquarters: { broker: values['depots-broker'] ? { url: values['depots-broker'] } : undefined } }
        : undefined,
    osmand: values['osmand-port'] === 'off' ? undefined : { port: num(values['osmand-port'], 'osmand-port', 5055), host: values['osmand-host'] },
    // off loopback FleetDesk is a hub: nobody on the network gets the console without signing in
    signInRequired: values['require-sign-in'] === true || !local,
    log,
  });
  await service.start();
  const { server, cert } = await startHubServer(service, {
    rendererDir: path.join(import.meta.dirname, '../renderer'),
    dbFile,
    host,
    port: num(values.port, 'port', 4780),
    cert: givenCert,
    requireSignIn: values['require-sign-in'] === true || !local,
    log,
  });
  log(`database ${dbFile}`);
  log(`broker ${redactUrl(service.brokerUrl)}${values.demo ? ' with the demo fleet' : ''}`);
  console.log(`FleetDesk is running at ${server.url}`);
  if (cert) console.log(`HTTPS certificate${cert.generated ? ' (made now)' : ''}: SHA-256 ${cert.fingerprint} — check that the first screens connecting see this one`);
  const shutdown = async () => {
    await server.close();
    await service.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function simulate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { broker: { type: 'string' }, vehicles: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' } },
  });
  const sim = new SimPublisher({
    brokerUrl: need(values.broker, 'broker'),
    vehicles: num(values.vehicles, 'vehicles', 60, 1),
    rateHz: num(values.rate, 'rate', 1, 0.001),
    durationS: values.duration === undefined ? undefined : num(values.duration, 'duration', 0),
    seed: num(values.seed, 'seed', 42),
  });
  process.once('SIGINT', () => void sim.stop());
  process.once('SIGTERM', () => void sim.stop());
  console.error(`publishing ${sim.fleet.vehicles.length} vehicles to ${redactUrl(values.broker!)}`);
  await sim.run();
  console.log(JSON.stringify({ published: sim.published }));
}

async function replayCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { fences: { type: 'string' }, positions: { type: 'string' }, 'events-out': { type: 'string' } },
  });
  const fencesFile = need(values.fences, 'fences');
  const positionsFile = need(values.positions, 'positions');
  for (const f of [fencesFile, positionsFile]) if (!existsSync(f)) throw new UsageError(`file not found: ${f}`);
  const r = await replay({ fencesFile, positionsFile, eventsOut: need(values['events-out'], 'events-out'), workerPath });
  for (const p of r.problems) console.error(`skipped ${p}`);
  if (r.skippedRows > r.problems.length) console.error(`… and ${r.skippedRows - r.problems.length} more skipped rows`);
  console.log(
    `${r.positions} positions, ${r.events} events, ${r.skippedRows} skipped rows in ${r.seconds.toFixed(2)} s: ` +
      `${Math.round(r.positionsPerSecond)} positions/s`,
  );
}

/** This computer only: the addresses local mode (no sign-in, no TLS) is for. Any other is a hub's. */

/** A line of standard input: never in the shell history or the process list. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function users(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { db: { type: 'string' }, role: { type: 'string' } }, allowPositionals: true });
  const [action, name] = positionals;
  if (action !== 'add' || !name) throw new UsageError('use: users add NAME --role viewer|dispatcher|supervisor|admin [--db FILE] (password on standard input)');
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const password = await readStdin();
  if (password.length < MIN_PASSWORD) throw new UsageError(`the password (standard input) needs at least ${MIN_PASSWORD} characters`);
  const store = new Store(path.resolve(values.db ?? 'fleetdesk.sqlite'));
  try {
    if (store.users.byName(name)) throw new UsageError(`there is already a user "${name}"`);
    store.users.add(name, role, hashSecret(password), Date.now());
    store.audit.add({ tsMs: Date.now(), actor: 'fleetdesk users add', action: 'user_added', detail: JSON.stringify({ user: name, role }) });
  } finally {
    store.close();
  }
  console.log(`user ${name} added (${role})`);
}

async function secrets(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { db: { type: 'string' } }, allowPositionals: true });
  const [action, name] = positionals;
  const KEYS: Record<string, [string, string]> = { 'broker-password': ['broker.password', 'broker password'], 'upstream-password': ['upstream.password', 'upstream (headquarters) broker password'] };
  if ((action !== 'set' && action !== 'clear') || !name || !KEYS[name]) throw new UsageError('use: secrets set|clear broker-password|upstream-password [--db FILE]');
  const [key, what] = KEYS[name];
  const store = new FileSecretStore(secretsFileFor(path.resolve(values.db ?? 'fleetdesk.sqlite')));
  if (action === 'clear') {
    store.set(key, null);
    console.log(`${what} removed`);
    return;
  }
  // From standard input, so it never appears in the shell history or the process list.
  const value = await readStdin();
  if (!value) throw new UsageError('no password on standard input');
  store.set(key, value);
  console.log(`${what} stored in ${store.file} (mode 600)`);
}

function isoArg(value: string | undefined, name: string): number {
  const ms = Date.parse(need(value, name));
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-11-02T00:00:00Z, got "${value}"`);
  return ms;
}

async function exportCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      report: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      vehicle: { type: 'string', multiple: true },
      'time-zone': { type: 'string' },
      'include-private': { type: 'boolean' },
      reason: { type: 'string' },
    },
  });
  const dbFile = need(values.db, 'db');
  if (!existsSync(dbFile)) throw new UsageError(`database not found: ${dbFile}`);
  const reportName = need(values.report, 'report');
  const req = {
    report: reportName as ReportName,
    format: need(values.format, 'format') as ExportFormat,
    fromMs: reportName === 'geofences' && !values.from ? 0 : isoArg(values.from, 'from'),
    toMs: reportName === 'geofences' && !values.to ? Date.now() : isoArg(values.to, 'to'),
    vehicleIds: (values.vehicle ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
    timeZone: values['time-zone'] ?? 'UTC',
  };
  try {
    validateReportRequest(req);
  } catch (err) {
    if (err instanceof ReportError) throw new UsageError(err.message);
    throw err;
  }
  const out = path.resolve(need(values.out, 'out'));
  const store = new Store(dbFile);
  const started = performance.now();
  const actor = `cli:${process.env.USER ?? 'unknown'}`;
  try {
    // Privacy mode holds here as in the app: private positions stay out of the file unless a supervisor
    // unlocks them with the password (FLEETDESK_SUPERVISOR_PASSWORD) and a reason, which is audited.
    const rules = store.privacy.list();
    let privacy: PrivacyPolicy | null = rules.length ? new PrivacyPolicy(rules, store.drivers.listAssignments()) : null;
    if (values['include-private']) {
      const reason = (values.reason ?? '').trim();
      if (reason.length < 5) throw new UsageError('--include-private needs --reason "why" (it is recorded in the audit log)');
      const stored = store.settings.get(SUPERVISOR_PASSWORD_KEY);
      if (!stored) throw new UsageError('--include-private needs a supervisor password: set one in Settings → Privacy');
      const password = process.env.FLEETDESK_SUPERVISOR_PASSWORD ?? '';
      if (!password || !verifySecret(password, stored)) {
        store.audit.add({ tsMs: Date.now(), actor, action: 'privacy_unlock_refused', detail: JSON.stringify({ via: 'cli export', reason }) });
        throw new UsageError('--include-private: FLEETDESK_SUPERVISOR_PASSWORD is missing or not the supervisor password');
      }
      store.audit.add({ tsMs: Date.now(), actor, action: 'privacy_access', detail: JSON.stringify({ via: 'cli export', report: req.report, vehicles: req.vehicleIds, fromMs: req.fromMs, toMs: req.toMs, reason }) });
      privacy = null;
    }
    store.track.summarizeAll();
    const report = buildReport(store, req, privacy);
    const tty = process.stderr.isTTY;
    let last = 0;
    const result = await writeReport(report, req.format, out, {
      timeZone: req.timeZone,
      meta: reportMeta(req, Date.now()),
      onProgress: (rows) => {
        const now = performance.now();
        if (tty && now - last > 200) {
          last = now;
          const pct = report.rowCount ? Math.min(100, Math.round((rows / report.rowCount) * 100)) : 0;
          process.stderr.write(`\r${req.report} → ${req.format}: ${rows.toLocaleString('en')} / ${report.rowCount.toLocaleString('en')} rows (${pct} %)`);
        }
      },
    });
    if (tty) process.stderr.write('\n');
    store.audit.add({ tsMs: Date.now(), actor, action: 'export', detail: JSON.stringify({ ...req, file: out, rows: result.rows, bytes: result.bytes }) });
    console.log(JSON.stringify({ file: out, report: req.report, format: req.format, rows: result.rows, bytes: result.bytes, seconds: Math.round((performance.now() - started) / 10) / 100 }));
  } finally {
    store.close();
  }
}

async function maintenanceCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'evaluate') throw new UsageError('use: maintenance evaluate --features FILE.csv [--folds 5]');
  const { values } = parseArgs({ args: rest, options: { features: { type: 'string' }, folds: { type: 'string' }, 'target-recall': { type: 'string' }, seed: { type: 'string' } } });
  const file = need(values.features, 'features');
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const folds = num(values.folds, 'folds', 5, 1);
  const targetRecall = num(values['target-recall'], 'target-recall', 0.8, 0.01);
  let table;
  try {
    table = parseFeatureCsv(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  const t0 = performance.now();
  const results = evaluateTimeOrdered(table, {
    folds,
    targetRecall,
    params: { seed: num(values.seed, 'seed', 42) },
    onProgress: (fold, tree, trees) => {
      if (process.stderr.isTTY) process.stderr.write(`\rfold ${fold}/${folds}: tree ${tree}/${trees}   `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = (performance.now() - t0) / 1000;
  const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  for (const r of results) {
    console.log(
      `fold ${r.fold}: train ${r.trainRows} rows, test ${r.testRows} rows (${r.testWeeks[0]} … ${r.testWeeks[1]}), ${r.trees} trees | ` +
        `recall-first threshold ${f3(r.threshold)}: recall ${f3(r.atThreshold.recall)} precision ${f3(r.atThreshold.precision)} | ` +
        `at 0.5: recall ${f3(r.atHalf.recall)} precision ${f3(r.atHalf.precision)} | ROC AUC ${f3(r.auc)}`,
    );
  }
  const mean = (xs: number[]) => {
    const ok = xs.filter((x) => !Number.isNaN(x));
    return ok.length ? Math.round((ok.reduce((a, b) => a + b, 0) / ok.length) * 1e4) / 1e4 : null;
  };
  console.log(
    JSON.stringify({
      folds: results.length,
      target_recall: targetRecall,
      roc_auc: mean(results.map((r) => r.auc)),
      recall_at_threshold: mean(results.map((r) => r.atThreshold.recall)),
      precision_at_threshold: mean(results.map((r) => r.atThreshold.precision)),
      recall_at_0_5: mean(results.map((r) => r.atHalf.recall)),
      precision_at_0_5: mean(results.map((r) => r.atHalf.precision)),
      seconds: Math.round(seconds * 100) / 100,
    }),
  );
}

function stats(args: string[]): void {
  const { values } = parseArgs({ args, options: { db: { type: 'string' } } });
  const file = need(values.db, 'db');
  if (!existsSync(file)) throw new UsageError(`database not found: ${file}`);
  const store = new Store(file);
  try {
    console.log(JSON.stringify(store.stats()));
  } finally {
    store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'simulate':
      return simulate(rest);
    case 'replay':
      return replayCommand(rest);
    case 'stats':
      return stats(rest);
    case 'export':
      return exportCommand(rest);
    case 'maintenance':
      return maintenanceCommand(rest);
    case 'jobs':
      return jobsCommand(rest);
    case 'users':
      return users(rest);
    case 'secrets':
      return secrets(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError || (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`fleetdesk: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`fleetdesk: ${(err as Error).message}`);
  process.exit(1);
});
