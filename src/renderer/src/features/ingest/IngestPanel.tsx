// Ingest health: rates, rejects by reason, untrusted fixes, queue depth, retention, and the dead letters themselves.
import { useEffect, useState } from 'react';
import type { DeadLetter, IngestHealth } from '../../../../shared/contract/ingest';
import { api } from '../../lib/api';
import { localTime } from '../../lib/format';
import { useFleet } from '../../app/store';
import { FederationSection } from '../federation/FederationSection';

const REFRESH_MS = 2000;

/** A reason and how often it happened, most frequent first; "None." when empty. */
/** Rows of label, count and (optionally) an example message shown under the label. */
function CountTable({ rows, testId }: { rows: [string, number, string?][]; testId?: string }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="grid" data-testid={testId}>
      <tbody>
        {rows.map(([label, count, example]) => (
          <tr key={label}>
            <td className="wrap">
              {label}
              {example && <div className="muted example">e.g. {example}</div>}
            </td>
            <td className="num">{count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function IngestPanel() {
  const [health, setHealth] = useState<IngestHealth | null>(null);
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const setError = useFleet((s) => s.setError);
  useEffect(() => {
    let alive = true;
    const load = () =>
      Promise.all([api.call('getIngestHealth', {}), api.call('listDeadLetters', { limit: 100 })])
        .then(([h, d]) => {
          if (!alive) return;
          setHealth(h);
          setDead(d);
        })
        .catch((err) => setError(`Could not load ingest health: ${(err as Error).message}`));
    void load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [setError]);
  if (!health) return <p className="muted empty">Loading…</p>;
  return (
    <div className="scroll" data-testid="ingest-panel">
      <table className="grid">
        <thead>
          <tr>
            <th>per second</th>
            <th>accepted</th>
            <th>untrusted</th>
            <th>rejected</th>
          </tr>
        </thead>
        <tbody>
          {health.rates.map((r) => (
            <tr key={r.windowS}>
              <td>last {r.windowS} s</td>
              <td className="num">{r.accepted}</td>
              <td className="num">{r.flagged}</td>
              <td className="num">{r.rejected}</td>
            </tr>
          ))}
          <tr>
            <td>since start</td>
            <td className="num">{health.totals.accepted}</td>
            <td className="num">{health.totals.flagged}</td>
            <td className="num">{health.totals.rejected}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted">
        Queue {health.queueDepth} waiting · {health.totals.duplicates} duplicates ignored · raw points kept {health.retention.rawRetentionDays} days, then one per{' '}
        {Math.round(health.retention.downsampleIntervalMs / 1000)} s · dead letters kept {health.retention.deadLetterRetentionDays} days
      </p>
      <FederationSection />
      <h3>Rejected (last 24 h)</h3>
      <CountTable rows={health.rejectsByReason.map((r) => [r.reason, r.count, r.example])} testId="rejects-by-reason" />
      <h3>Untrusted fixes (stored, not used for alerts)</h3>
      <CountTable rows={health.flaggedByReason.map((r) => [r.text, r.count])} />
      <h3>Dead letters</h3>
      <ul className="dead-letters">
        {dead.map((d) => (
          <li key={d.id} data-dead-letter-id={d.id}>
            <button type="button" className="link" onClick={() => setOpen(open === d.id ? null : d.id)} aria-expanded={open === d.id}>
              <time>{localTime(d.receivedMs, health.nowMs)}</time> {d.source} {d.topic ?? ''} — {d.reason}
            </button>
            {open === d.id && (
              <pre className="payload" aria-label="Raw payload">
                {d.payloadText}
                {d.payloadBytes > d.payloadText.length ? `\n… (${d.payloadBytes} bytes in all; first 4 KiB kept)` : ''}
              </pre>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
