// Benchmark output: a table on stdout and the same table appended to bench/HISTORY.md with machine and
// date. BENCHMARKS.md keeps one table of the current figures, updated by hand from these runs.
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The engine worker as electron-vite built it (scripts/bench.mjs builds first); its chunk name is hashed. */
export function builtWorkerPath(): string {
  const dir = path.resolve('out/main/chunks');
  const file = readdirSync(dir).find((f) => f.startsWith('engine.worker'));
  if (!file) throw new Error(`no engine.worker chunk in ${dir}; run "npm run build"`);
  return path.join(dir, file);
}

export type Row = Record<string, string | number>;

export function table(rows: Row[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(cols), line(cols.map(() => '---')), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n');
}

export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
}

/** Prints and records one benchmark run. */
export function report(title: string, notes: string[], rows: Row[]): void {
  const text = table(rows);
  console.log(`\n${title}\n\n${text}\n`);
  const file = 'bench/HISTORY.md';
  if (!existsSync(file)) writeFileSync(file, '# FleetDesk benchmark history\n\nAppended by `npm run bench -- <name>`; newest last. Each entry names the machine and date.\n');
  appendFileSync(file, `\n## ${title} — ${new Date().toISOString().slice(0, 16)}Z\n\n${machine()}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\n${text}\n`);
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
