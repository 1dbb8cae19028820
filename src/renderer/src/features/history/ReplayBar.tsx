// The replay bar under the map while history is open: play/pause (Space), speed ×1…×60, a draggable
// timeline with alert and event ticks, and the first vehicle's stored telemetry at the cursor.
import { useEffect, useRef, useState } from 'react';
import type { PointAt } from '../../../../shared/contract/history';
import { api } from '../../lib/api';
import { fixed, localTime } from '../../lib/format';
import { REPLAY_SPEEDS, useHistory } from './history-store';
import { jobEventAt, jobEventText } from './job-events';

/** The readout asks for the telemetry at the cursor at most this often. */
const READOUT_EVERY_MS = 250;
/** ← / → move the cursor this much (Shift: the long step), at any replay speed. */
const STEP_MS = 10_000;
const STEP_LONG_MS = 60_000;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

export function ReplayBar() {
  const { results, fromMs, toMs, cursorMs, playing, speed, setCursor, setPlaying, setSpeed } = useHistory();
  const [at, setAt] = useState<PointAt | null>(null);
  const fetchSeq = useRef(0);

  // playback: advance the cursor by wall time × speed
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const s = useHistory.getState();
      const next = (s.cursorMs ?? s.fromMs) + (now - last) * s.speed;
      last = now;
      if (next >= s.toMs) {
        s.setCursor(s.toMs);
        s.setPlaying(false);
        return;
      }
      s.setCursor(next);
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  // Space plays/pauses; ← → step 10 s (Shift: 1 min) when not typing, whatever the replay speed
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!useHistory.getState().results || isTyping(e.target)) return;
      const s = useHistory.getState();
      if (e.key === ' ') {
        e.preventDefault();
        s.setPlaying(!s.playing);
      } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        if ((e.target as HTMLElement | null)?.closest?.('.leaflet-container, .vehicle-list')) return;
        e.preventDefault();
        s.setCursor((s.cursorMs ?? s.fromMs) + (e.key === 'ArrowRight' ? 1 : -1) * (e.shiftKey ? STEP_LONG_MS : STEP_MS));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Telemetry at the cursor, at most every 250 ms while it moves (playback moves it every frame: a
  // debounce would never fire and the readout froze on the first fix), the latest answer wins.
  const first = results?.[0]?.vehicleId;
  const lastFetchMs = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!first || cursorMs === null) return;
    const fetchNow = () => {
      trailing.current = null;
      lastFetchMs.current = performance.now();
      const seq = ++fetchSeq.current;
      const s = useHistory.getState();
      const unlockToken = s.unlock && s.unlock.untilMs > Date.now() ? s.unlock.token : undefined;
      api.call('getPointAt', { vehicleId: first, tsMs: Math.round(s.cursorMs ?? cursorMs), unlockToken }).then(
        (p) => seq === fetchSeq.current && setAt(p),
        () => undefined,
      );
    };
    const wait = READOUT_EVERY_MS - (performance.now() - lastFetchMs.current);
    if (wait <= 0) fetchNow();
    else trailing.current ??= setTimeout(fetchNow, wait); // reads the cursor when it fires
  }, [first, cursorMs]);
  useEffect(() => () => void (trailing.current && clearTimeout(trailing.current)), []);

  if (!results || cursorMs === null) return null;
  const span = Math.max(1, toMs - fromMs);
  const ticks = results.flatMap((h) => [
    ...h.alerts.map((a) => ({ key: `a${a.id}`, tsMs: a.tsMs, cls: a.severity })),
    ...h.drivingEvents.map((e) => ({ key: `e${e.id}`, tsMs: e.tsMs, cls: 'event' })),
    ...h.jobEvents.map((e) => ({ key: `j${e.id}`, tsMs: e.tsMs, cls: 'job' })),
  ]);
  // what the first vehicle was doing for its jobs at the cursor
  const jobNow = jobEventAt(results.find((h) => h.vehicleId === first)?.jobEvents ?? [], cursorMs);
  const p = at?.point;
  return (
    <div className="replay-bar" role="group" aria-label="History replay">
      <button type="button" onClick={() => setPlaying(!playing)} title="Play / pause (Space)" aria-label={playing ? 'Pause' : 'Play'}>
        {playing ? '❚❚' : '▶'}
      </button>
      <select aria-label="Replay speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value) as (typeof REPLAY_SPEEDS)[number])}>
        {REPLAY_SPEEDS.map((s) => (
          <option key={s} value={s}>
            ×{s}
          </option>
        ))}
      </select>
      <div className="timeline">
        <div className="ticks" aria-hidden>
          {ticks.map((t) => (
            <span key={t.key} className={`tick ${t.cls}`} style={{ left: `${((t.tsMs - fromMs) / span) * 100}%` }} />
          ))}
        </div>
        <input
          type="range"
          aria-label="Replay time"
          min={fromMs}
          max={toMs}
          step={1000}
          value={Math.round(cursorMs)}
          onChange={(e) => (setPlaying(false), setCursor(Number(e.target.value)))}
        />
      </div>
      <time className="cursor-time num" data-cursor-ms={Math.round(cursorMs)}>
        {localTime(cursorMs)}
      </time>
      <span className="cursor-telemetry num" data-testid="cursor-telemetry">
        {p ? (
          <>
            {p.vehicleId} {localTime(p.tsMs)} · {fixed(p.speedKmh, 0, ' km/h')} · ign {p.ignition === null ? '—' : p.ignition ? 'on' : 'off'} · fuel {fixed(p.fuelLevelPct, 0, ' %')} · {p.driverId ?? 'no driver'}
            {at.quality ? <span className="flagged-count"> · filtered: {at.quality}</span> : null}
          </>
        ) : (
          <span className="muted">no report at this time (or hidden by privacy mode)</span>
        )}
      </span>
      {jobNow && (
        <span className="cursor-job muted" data-testid="cursor-job" title={`since ${localTime(jobNow.tsMs)}`}>
          {jobEventText(jobNow)}
        </span>
      )}
    </div>
  );
}
