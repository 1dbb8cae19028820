// Privacy mode per driver or vehicle (always, or on a schedule such as off-duty hours), the supervisor
// password, and the supervisor's unlock with a reason (history and exports then include private data).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PrivacyRule, PrivacyStatus } from '../../../../shared/contract/privacy';
import { api } from '../../lib/api';
import { useMay } from '../../app/store';
import { useAction } from '../../lib/use-action';
import { useExampleIds } from '../../lib/example-ids';
import { localTime } from '../../lib/format';
import { useHistory } from '../history/history-store';

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

function describe(r: PrivacyRule): string {
  if (!r.schedule) return 'always';
  const days = r.schedule.days.length === 7 ? 'every day' : r.schedule.days.map((d) => DAY_NAMES[d]).join(' ');
  return `${days} ${hhmm(r.schedule.startMin)}–${hhmm(r.schedule.endMin)} (${r.schedule.timeZone})`;
}

export function PrivacySection() {
  const maySupervise = useMay('savePrivacyRule');
  const mayAdmin = useMay('setSupervisorPassword');
  const [status, setStatus] = useState<PrivacyStatus | null>(null);
  const example = useExampleIds();
  const { error, setError, act } = useAction();
  const [kind, setKind] = useState<'driver' | 'vehicle'>('driver');
  const [subject, setSubject] = useState('');
  const [scheduled, setScheduled] = useState(true);
  const [days, setDays] = useState([0, 1, 2, 3, 4, 5, 6]);
  const [from, setFrom] = useState('18:00');
  const [to, setTo] = useState('07:00');
  const [zone, setZone] = useState(LOCAL_ZONE);
  const [note, setNote] = useState('off-duty hours');
  const [pw, setPw] = useState({ current: '', next: '', repeat: '' });
  // removing a rule shows what it hid: the supervisor confirms with the password
  const [removing, setRemoving] = useState<{ id: number; password: string } | null>(null);
  const [unlockForm, setUnlockForm] = useState({ password: '', reason: '' });
  const unlock = useHistory((s) => s.unlock);
  const setUnlock = useHistory((s) => s.setUnlock);
  const reload = useCallback(() => api.call('getPrivacy', {}).then(setStatus, (e) => setError((e as Error).message)), []);
  useEffect(() => {
    void reload();
  }, [reload]);
  const guard = (fn: () => Promise<unknown>) => act(async () => (await fn(), await reload()));
  const addRule = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await guard(() =>
      api.call('savePrivacyRule', { kind, subjectId: subject.trim(), note, schedule: scheduled ? { days, startMin: minutes(from), endMin: minutes(to), timeZone: zone.trim() } : null }),
    );
    if (ok) {
      setSubject('');
      setNote('');
    }
  };
  const unlockNow = async (e: FormEvent) => {
    e.preventDefault();
    await guard(async () => {
      setUnlock(await api.call('unlockPrivacy', { ...unlockForm, by: 'supervisor' }));
      setUnlockForm({ password: '', reason: '' });
    });
  };
  if (!status) return <p className="muted">Loading privacy settings…</p>;
  // the rules are shown to everyone; changing them and unlocking is a supervisor's, the password an admin's
  const unlocked = unlock && unlock.untilMs > Date.now();
  return (
    <section aria-label="Privacy">
      <h3>Privacy mode</h3>
      <p className="muted">Positions under privacy mode are stored for safety but hidden from the live map, history and exports unless a supervisor unlocks them with a reason.</p>
      <ul className="event-list privacy-rules">
        {status.rules.length === 0 && <li className="muted">No privacy rules.</li>}
        {status.rules.map((r) => (
          <li key={r.id} data-rule={r.id}>
            <b>
              {r.kind} {r.subjectId}
            </b>{' '}
            {describe(r)} <span className="muted">{r.note}</span>{' '}
            {!maySupervise ? null : removing?.id === r.id ? (
              <form
                className="row"
                aria-label="Remove privacy rule"
                onSubmit={(e) => {
                  e.preventDefault();
                  void guard(async () => {
                    await api.call('deletePrivacyRule', { id: r.id, supervisorPassword: removing.password });
                    setRemoving(null);
                  });
                }}
              >
                <input type="password" aria-label="Supervisor password to remove" placeholder="supervisor password" autoFocus value={removing.password} onChange={(e) => setRemoving({ id: r.id, password: e.target.value })} />
                <button type="submit">Remove</button>
                <button type="button" onClick={() => setRemoving(null)}>
                  Cancel
                </button>
              </form>
            ) : (
              <button type="button" onClick={() => setRemoving({ id: r.id, password: '' })} title="Only a supervisor may remove a rule">
                Delete…
              </button>
            )}
          </li>
        ))}
      </ul>
      {maySupervise && (
      <form className="kv-form" onSubmit={addRule} aria-label="New privacy rule">
        <label htmlFor="pr-kind">For</label>
        <div className="row">
          <select id="pr-kind" value={kind} onChange={(e) => setKind(e.target.value as 'driver' | 'vehicle')}>
            <option value="driver">driver</option>
            <option value="vehicle">vehicle</option>
          </select>
          <input aria-label="Driver or vehicle id" value={subject} onChange={(e) => setSubject(e.target.value)} placeholder={`e.g. ${kind === 'driver' ? example.driver : example.vehicle}`} />
        </div>
        <label htmlFor="pr-when">When</label>
        <label className="toggle">
          <input id="pr-when" type="checkbox" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} /> on a schedule (off: always)
        </label>
        {scheduled && (
          <>
            <span className="muted">Days</span>
            <div className="days">
              {DAY_NAMES.map((n, d) => (
                <label key={n}>
                  <input type="checkbox" checked={days.includes(d)} onChange={(e) => setDays(e.target.checked ? [...days, d].sort() : days.filter((x) => x !== d))} />
                  {n}
                </label>
              ))}
            </div>
            <span className="muted">Hours</span>
            <div className="row">
              <input aria-label="From" type="time" value={from} onChange={(e) => setFrom(e.target.value)} />–
              <input aria-label="To" type="time" value={to} onChange={(e) => setTo(e.target.value)} />
            </div>
            <label htmlFor="pr-zone">Time zone</label>
            <input id="pr-zone" value={zone} onChange={(e) => setZone(e.target.value)} />
          </>
        )}
        <label htmlFor="pr-note">Note</label>
        <input id="pr-note" value={note} onChange={(e) => setNote(e.target.value)} />
        <span />
        <button type="submit">Add privacy rule</button>
      </form>
      )}

      {mayAdmin && <h3>Supervisor</h3>}
      {mayAdmin && (
      <form
        className="kv-form"
        aria-label="Supervisor password"
        onSubmit={(e) => {
          e.preventDefault();
          if (pw.next !== pw.repeat) {
            setError('The two new passwords differ: type the same password twice.');
            return;
          }
          void guard(async () => {
            await api.call('setSupervisorPassword', { current: pw.current || undefined, next: pw.next });
            setPw({ current: '', next: '', repeat: '' });
          });
        }}
      >
        {status.supervisorPasswordSet && (
          <>
            <label htmlFor="sp-cur">Current</label>
            <input id="sp-cur" type="password" autoComplete="current-password" value={pw.current} onChange={(e) => setPw({ ...pw, current: e.target.value })} />
          </>
        )}
        <label htmlFor="sp-next">{status.supervisorPasswordSet ? 'New' : 'Password'}</label>
        <input id="sp-next" type="password" autoComplete="new-password" value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} />
        <label htmlFor="sp-repeat">Repeat</label>
        <input id="sp-repeat" type="password" autoComplete="new-password" value={pw.repeat} onChange={(e) => setPw({ ...pw, repeat: e.target.value })} />
        <span />
        <button type="submit">{status.supervisorPasswordSet ? 'Change password' : 'Set password'}</button>
      </form>
      )}
      {unlocked ? (
        <p className="privacy-note unlocked" data-testid="unlocked">
          Unlocked until {localTime(unlock.untilMs)}: history and exports include private positions (every look is in the audit log).{' '}
          <button type="button" onClick={() => setUnlock(null)}>
            Lock now
          </button>
        </p>
      ) : (
        status.supervisorPasswordSet && maySupervise && (
          <form className="kv-form" aria-label="Unlock private positions" onSubmit={unlockNow}>
            <label htmlFor="ul-pw">Password</label>
            <input id="ul-pw" type="password" autoComplete="current-password" value={unlockForm.password} onChange={(e) => setUnlockForm({ ...unlockForm, password: e.target.value })} />
            <label htmlFor="ul-reason">Reason</label>
            <input id="ul-reason" value={unlockForm.reason} onChange={(e) => setUnlockForm({ ...unlockForm, reason: e.target.value })} placeholder="e.g. accident claim 4411" />
            <span />
            <button type="submit">Unlock for {status.unlockMinutes} min</button>
          </form>
        )
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
