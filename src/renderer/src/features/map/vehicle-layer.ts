// All vehicles on one canvas (see CanvasOverlay): arrows or dots by status, labels when zoomed in.
import L from 'leaflet';
import type { VehicleState, VehicleStatus } from '../../../../shared/types';
import { toLatLng } from '../../lib/geo';
import { CanvasOverlay } from './canvas-overlay';

export const STATUS_COLORS: Record<VehicleStatus, string> = {
  moving: '#4caf50',
  idle: '#ffb300',
  offline: '#78909c',
};

const HIT_RADIUS_PX = 12;

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
    const zoom = map.getZoom();
    const showLabels = zoom >= 14;
    let drawn = 0;
    let selected: { x: number; y: number; v: VehicleState } | null = null;
    for (const v of this.vehicles) {
      const p = map.latLngToContainerPoint(toLatLng(v.last.lon, v.last.lat));
      if (p.x < -20 || p.y < -20 || p.x > size.x + 20 || p.y > size.y + 20) continue;
      drawn++;
      this.drawVehicle(ctx, p.x, p.y, v);
      if (showLabels) {
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillStyle = '#e8edf2';
        ctx.strokeStyle = 'rgba(0,0,0,0.7)';
        ctx.lineWidth = 3;
        ctx.strokeText(v.vehicleId, p.x + 9, p.y + 4);
        ctx.fillText(v.vehicleId, p.x + 9, p.y + 4);
      }
      if (v.vehicleId === this.selectedId) selected = { x: p.x, y: p.y, v };
    }
    if (selected) {
      ctx.beginPath();
      ctx.arc(selected.x, selected.y, 11, 0, Math.PI * 2);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    canvas.dataset['drawn'] = String(drawn);
  }

  private drawVehicle(ctx: CanvasRenderingContext2D, x: number, y: number, v: VehicleState): void {
    ctx.fillStyle = STATUS_COLORS[v.status];
    ctx.strokeStyle = '#0d1117';
    ctx.lineWidth = 1.5;
    const heading = v.last.headingDeg;
    if (v.status === 'moving' && heading !== null) {
      // An arrow pointing where the vehicle is heading (0° = north, clockwise).
      const a = (heading * Math.PI) / 180;
      ctx.save();
      ctx.translate(x, y);
      ctx.rotate(a);
      ctx.beginPath();
      ctx.moveTo(0, -9);
      ctx.lineTo(6, 6);
      ctx.lineTo(0, 3);
      ctx.lineTo(-6, 6);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
      ctx.restore();
    } else {
      ctx.beginPath();
      ctx.arc(x, y, 5.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }

  private onClick(e: L.LeafletMouseEvent): void {
    const map = this._map;
    if (!map) return;
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
