// The handle between the map and the right panel: drag it (or focus it and press ←/→) to give the
// panel the width its tables need; the width is remembered on this workstation.
import { useEffect, useState, type KeyboardEvent, type PointerEvent } from 'react';

const KEY = 'fleetdesk.rightPanelWidth';
const MIN_PX = 300;
/** The map keeps at least this much, and the vehicle list its 280 px. */
const MAP_MIN_PX = 360;
const LEFT_PX = 280;

function clamp(px: number): number {
  return Math.round(Math.max(MIN_PX, Math.min(px, window.innerWidth - LEFT_PX - MAP_MIN_PX)));
}

/** A sensible first width: wider on wide screens, so every tab and table column shows at 1920. */
function initialWidth(): number {
  const saved = Number(localStorage.getItem(KEY));
  return clamp(Number.isFinite(saved) && saved > 0 ? saved : window.innerWidth * 0.3);
}

export function useRightPanelWidth(): [number, (px: number, save?: boolean) => void] {
  const [width, setWidth] = useState(initialWidth);
  useEffect(() => {
    const onResize = () => setWidth((w) => clamp(w));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const set = (px: number, save = true) => {
    const w = clamp(px);
    setWidth(w);
    if (save) localStorage.setItem(KEY, String(w));
  };
  return [width, set];
}

export function Splitter({ width, onWidth }: { width: number; onWidth: (px: number, save?: boolean) => void }) {
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startX = e.clientX;
    const startW = width;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (ev: globalThis.PointerEvent) => onWidth(startW + (startX - ev.clientX), false);
    const up = (ev: globalThis.PointerEvent) => {
      onWidth(startW + (startX - ev.clientX), true);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      onWidth(width + (e.key === 'ArrowLeft' ? 20 : -20));
    }
  };
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the side panel"
      aria-valuenow={width}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
      title="Drag to resize the side panel (or ←/→)"
    />
  );
}
