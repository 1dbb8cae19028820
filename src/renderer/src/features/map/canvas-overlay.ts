// A map layer drawn on one canvas over the map, redrawn in one animation frame after any move, zoom or
// data change, hidden during a zoom animation. Vehicles and place names are drawn this way: no DOM node
// per item, so thousands stay smooth.
import L from 'leaflet';

export abstract class CanvasOverlay extends L.Layer {
  protected canvas: HTMLCanvasElement | null = null;
  private frame = 0;

  constructor(private readonly className: string) {
    super();
  }

  override onAdd(map: L.Map): this {
    const canvas = document.createElement('canvas');
    canvas.className = this.className;
    map.getContainer().appendChild(canvas);
    this.canvas = canvas;
    map.on('move zoomend resize viewreset', this.schedule, this);
    map.on('zoomstart', this.hide, this);
    this.added(map);
    this.schedule();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('move zoomend resize viewreset', this.schedule, this);
    map.off('zoomstart', this.hide, this);
    this.removed(map);
    this.canvas?.remove();
    this.canvas = null;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    return this;
  }

  /** Extra set-up and tear-down for a subclass (event handlers). */
  protected added(_map: L.Map): void {}
  protected removed(_map: L.Map): void {}

  private hide(): void {
    if (this.canvas) this.canvas.style.visibility = 'hidden';
  }

  protected schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const map = this._map;
      const canvas = this.canvas;
      if (!map || !canvas) return;
      const size = map.getSize();
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== size.x * dpr || canvas.height !== size.y * dpr) {
        canvas.width = size.x * dpr;
        canvas.height = size.y * dpr;
        canvas.style.width = `${size.x}px`;
        canvas.style.height = `${size.y}px`;
      }
      canvas.style.visibility = 'visible';
      const ctx = canvas.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      this.draw(map, ctx, size);
    });
  }

  /** Draws one frame on a cleared canvas sized to the map. */
  protected abstract draw(map: L.Map, ctx: CanvasRenderingContext2D, size: L.Point): void;
}
