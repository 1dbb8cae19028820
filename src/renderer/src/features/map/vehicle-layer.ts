// All vehicles on one canvas (see CanvasOverlay): arrows or dots by status, labels when zoomed in.
import L from 'leaflet';
import type { VehicleState, VehicleStatus } from '../../../../shared/contract/vehicles';
import { toLatLng } from '../../lib/geo';
import { CanvasOverlay } from './canvas-overlay';
import { editorOwnsClick } from '../fences/editor';

export const STATUS_COLORS: Record<VehicleStatus, string> = {
  moving: '#4caf50',
  idle: '#ffb300',
  offline: '#78909c',
};

const HIT_RADIUS_PX = 12;
/** Moving vehicles on top: they are the ones a dispatcher follows. */
const DRAW_ORDER: readonly VehicleStatus[] = ['offline', 'idle', 'moving'];
/** The arrow of a moving vehicle, pointing up (north) from its position: tip, right, notch, left. */
const ARROW = [0, -9, 6, 6, 0, 3, -6, 6] as const;

/** One vehicle's shape as the current path: an arrow along its heading when moving, else a dot. */
function addVehicleShape(ctx: CanvasRenderingContext2D, x: number, y: number, v: VehicleState): void {
  const heading = v.last.headingDeg;
  if (v.status === 'moving' && heading !== null) {
    // rotated by the heading (0° = north, clockwise), as ctx.rotate would, without a save/restore each
    const a = (heading * Math.PI) / 180;
    const c = Math.cos(a);
    const s = Math.sin(a);
    ctx.moveTo(x + ARROW[0] * c - ARROW[1] * s, y + ARROW[0] * s + ARROW[1] * c);
    for (let k = 2; k < ARROW.length; k += 2) ctx.lineTo(x + ARROW[k]! * c - ARROW[k + 1]! * s, y + ARROW[k]! * s + ARROW[k + 1]! * c);
    ctx.closePath();
  } else {
    ctx.moveTo(x + 5.5, y);
    ctx.arc(x, y, 5.5, 0, Math.PI * 2);
    ctx.closePath();
  }
}

export class VehicleCanvasLayer extends CanvasOverlay {
  private vehicles: VehicleState[] = [];
  private selectedId: string | null = null;

  constructor(private readonly onPick: (vehicleId: string | null) => void) {
    super('vehicle-canvas');
  }

  protected override added(map: L.Map): void {
    this.canvas!.dataset['testid'] = 'vehicle-canvas';
    map.on('click', this.onClick, this);
  }

  protected override removed(map: L.Map): void {
    map.off('click', this.onClick, this);
  }

  setData(vehicles: VehicleState[], selectedId: string | null): void {
    this.vehicles = vehicles;
    this.selectedId = selectedId;
    this.schedule();
  }

  protected draw(map: L.Map, ctx: CanvasRenderingContext2D, size: L.Point): void {
    const canvas = this.canvas!;
    const showLabels = map.getZoom() >= 14;
    // where each vehicle in view is on the screen
    const xs: number[] = [];
    const ys: number[] = [];
    const shown: VehicleState[] = [];
    let selected: { x: number; y: number } | null = null;
    for (const v of this.vehicles) {
      const p = map.latLngToContainerPoint(toLatLng(v.last.lon, v.last.lat));
      if (p.x < -20 || p.y < -20 || p.x > size.x + 20 || p.y > size.y + 20) continue;
      xs.push(p.x);
      ys.push(p.y);
      shown.push(v);
      if (v.vehicleId === this.selectedId) selected = { x: p.x, y: p.y };
    }
    // Each vehicle its own small path, drawn without a save/rotate/restore (the arrow is rotated here), and
    // the colour set only when it changes (moving vehicles last, on top). With a save/restore each, 10,000
    // moving vehicles kept the renderer busy 98 % of the time at 4 pushes a second; one big path per
    // colour instead was slower still (filling a path of 10,000 shapes).
    ctx.strokeStyle = '#0d1117';
    ctx.lineWidth = 1.5;
    for (const status of DRAW_ORDER) {
      ctx.fillStyle = STATUS_COLORS[status];
      for (let i = 0; i < shown.length; i++) {
        if (shown[i]!.status !== status) continue;
        ctx.beginPath();
        addVehicleShape(ctx, xs[i]!, ys[i]!, shown[i]!);
        ctx.fill();
        ctx.stroke();
      }
    }
    if (showLabels) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillStyle = '#e8edf2';
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.lineWidth = 3;
      // a label is drawn only where it overlaps none drawn before (the selected vehicle's first), so
      // a cluster of vans shows readable ids rather than a smudge; a grid of cells finds neighbours
      const taken = new Map<number, { x: number; y: number; w: number }[]>();
      const cell = (x: number, y: number) => Math.floor(x / 80) * 100_000 + Math.floor(y / 14);
      const order = shown.map((_, i) => i);
      order.sort((a, b) => Number(shown[b]!.vehicleId === this.selectedId) - Number(shown[a]!.vehicleId === this.selectedId));
      let labels = 0;
      for (const i of order) {
        const text = shown[i]!.vehicleId;
        const x = xs[i]! + 9;
        const y = ys[i]! + 4;
        const w = ctx.measureText(text).width;
        let free = true;
        for (let dx = -1; dx <= 1 && free; dx++) {
          for (let dy = -1; dy <= 1 && free; dy++) {
            for (const r of taken.get(cell(x + dx * 80, y + dy * 14)) ?? []) {
              if (x < r.x + r.w + 4 && r.x < x + w + 4 && Math.abs(y - r.y) < 13) {
                free = false;
                break;
              }
            }
          }
        }
        if (!free) continue;
        const k = cell(x, y);
        taken.set(k, [...(taken.get(k) ?? []), { x, y, w }]);
        ctx.strokeText(text, x, y);
        ctx.fillText(text, x, y);
        labels++;
      }
      canvas.dataset['labels'] = String(labels);
    } else canvas.dataset['labels'] = '0';
    if (selected) {
      ctx.beginPath();
      ctx.arc(selected.x, selected.y, 11, 0, Math.PI * 2);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    canvas.dataset['drawn'] = String(shown.length);
    // what the map shows, by status (read by tests and by anyone inspecting the page)
    const counts: Record<string, number> = {};
    for (const v of shown) counts[v.status] = (counts[v.status] ?? 0) + 1;
    canvas.dataset['statuses'] = DRAW_ORDER.map((st) => `${st}:${counts[st] ?? 0}`).join(',');
  }

  private onClick(e: L.LeafletMouseEvent): void {
    const map = this._map;
    if (!map || editorOwnsClick()) return;
    let best: string | null = null;
    let bestD = HIT_RADIUS_PX * HIT_RADIUS_PX;
    for (const v of this.vehicles) {
      const p = map.latLngToContainerPoint(toLatLng(v.last.lon, v.last.lat));
      const d = (p.x - e.containerPoint.x) ** 2 + (p.y - e.containerPoint.y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = v.vehicleId;
      }
    }
    if (best) this.onPick(best);
  }
}
