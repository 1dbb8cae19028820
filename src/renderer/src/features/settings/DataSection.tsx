// "Data we collect" (what is stored and for how long) and the audit log (exports, privacy unlocks).
import { useEffect, useState } from 'react';
import type { AuditEntry } from '../../../../shared/api';
import type { DataInventoryItem } from '../../../../shared/contract/privacy';
import { api } from '../../lib/api';
import { useMay } from '../../app/store';
import { localTime } from '../../lib/format';

function summary(a: AuditEntry): string {
  try {
    const d = JSON.parse(a.detail) as Record<string, unknown>;
    if (a.action === 'export') return `${d.report} as ${String(d.format).toUpperCase()} → ${d.file} (${d.rows} rows)`;
    if (a.action.startsWith('privacy_unlock') || a.action === 'privacy_access') return `${d.via ? `${d.via}: ` : ''}${d.reason ?? ''}`;
    if (a.action.startsWith('privacy_rule')) return `${d.kind ?? ''} ${d.subjectId ?? d.id ?? ''}`;
    return '';
  } catch {
    return a.detail;
  }
}

export function DataSection() {
  const [items, setItems] = useState<DataInventoryItem[]>([]);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const mayAudit = useMay('listAudit');
  useEffect(() => {
    void api.call('getDataInventory', {}).then(setItems, () => undefined);
    if (mayAudit) void api.call('listAudit', { limit: 100 }).then(setAudit, () => undefined);
  }, [mayAudit]);
  return (
    <>
      <section aria-label="Data we collect">
        <h3>Data we collect</h3>
        <table className="grid inventory">
          <thead>
            <tr>
              <th>What</th>
              <th>Kept</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.what} title={`Why: ${i.why}`}>
                <td>
                  <b>{i.what}</b>
                  <br />
                  <span className="muted">{i.fields}</span>
                </td>
                <td>{i.kept}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {mayAudit && (
      <section aria-label="Audit log">
        <h3>Audit log</h3>
        <ul className="event-list audit-list">
          {audit.length === 0 && <li className="muted">Nothing recorded yet.</li>}
          {audit.map((a) => (
            <li key={a.id} data-action={a.action}>
              <time>{localTime(a.tsMs)}</time> <b>{a.action.replace(/_/g, ' ')}</b> by {a.actor} <span className="muted">{summary(a)}</span>
            </li>
          ))}
        </ul>
      </section>
      )}
    </>
  );
}
