// Report writers: CSV (RFC 4180), XLSX (own streaming writer, typed cells), PDF (printed report with map and chart),
// GPX, KML and GeoJSON. Each streams to `<file>.part` and renames on success, so a cancelled or failed
// export never leaves a file that looks complete; memory stays flat whatever the row count.
import { createWriteStream, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { ExportFormat } from '../../../shared/reports';
import { simplifiedForMap, type Cell, type Column, type GeoFeature, type Report } from './reports';
import { ZonedTime } from './time';
import { XlsxWriter, type XlsxCell, type XlsxColumn } from './xlsx';
import { csvField } from '../util/csv';
import { rewindRings } from '../../../shared/fence-geojson';
import { paintBasemap } from './pdf-basemap';

export interface WriteOptions {
  timeZone: string;
  /** Shown in the file's heading: the period and filters the report was made for. */
  meta: { period: string; filters: string; generatedMs: number };
  onProgress?: (rows: number) => void;
  signal?: AbortSignal;
}

export class ExportCancelled extends Error {
  constructor() {
    super('export cancelled');
  }
}

/** Excel's sheet limit (1,048,576 rows) less the header. */
export const XLSX_ROWS_PER_SHEET = 1_048_575;
/** A printed report shows this many rows; the heading says how many there are in all. */
export const PDF_MAX_ROWS = 2_000;
const PROGRESS_EVERY = 5_000;

/** A buffered writer that honours the stream's backpressure. */
class Out {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly stream: WriteStream) {}
  async write(s: string): Promise<void> {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 256 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve, reject) => {
      const onErr = (e: Error) => reject(e);
      this.stream.once('error', onErr);
      this.stream.once('drain', () => (this.stream.off('error', onErr), resolve()));
    });
  }
  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

function openOut(file: string): Out {
  return new Out(createWriteStream(file, { highWaterMark: 1 << 20 }));
}

function headerTitle(c: Column, tz: string): string {
  return c.type === 'time' ? `${c.title} (${tz})` : c.title;
}

function cellText(v: Cell, c: Column, z: ZonedTime): string {
  if (v === null || v === undefined) return '';
  if (c.type === 'time') return z.iso(v as number);
  if (c.type === 'bool') return v ? 'true' : 'false';
  return String(v);
}

async function writeCsv(report: Report, file: string, o: WriteOptions): Promise<number> {
  const z = new ZonedTime(o.timeZone);
  const out = openOut(file);
  let n = 0;
  try {
    // UTF-8 with a byte-order mark so spreadsheet programs read accents right; CRLF as RFC 4180 says
    await out.write('\uFEFF' + report.columns.map((c) => csvField(headerTitle(c, o.timeZone))).join(',') + '\r\n');
    const cols = report.columns;
    for (const row of report.rows()) {
      let line = '';
      for (let i = 0; i < cols.length; i++) {
        const c = cols[i]!;
        const v = row[i];
        const text = v === null || v === undefined ? '' : c.type === 'number' ? String(v) : c.type === 'time' ? z.iso(v as number) : c.type === 'bool' ? (v ? 'true' : 'false') : csvField(String(v));
        line += i === 0 ? text : ',' + text;
      }
      await out.write(line + '\r\n');
      if (++n % PROGRESS_EVERY === 0) {
        o.onProgress?.(n);
        if (o.signal?.aborted) throw new ExportCancelled();
      }
    }
  } finally {
    await out.end();
  }
  return n;
}

async function writeXlsx(report: Report, file: string, o: WriteOptions): Promise<number> {
  const z = new ZonedTime(o.timeZone);
  const stream = createWriteStream(file, { highWaterMark: 1 << 20 });
  let failed: Error | null = null;
  stream.on('error', (e) => (failed = e));
  const sink = async (b: Buffer) => {
    if (failed) throw failed;
    if (!stream.write(b)) await new Promise<void>((resolve, reject) => {
      stream.once('drain', resolve);
      stream.once('error', reject);
    });
  };
  const xl = new XlsxWriter(sink);
  const columns: XlsxColumn[] = report.columns.map((c) => ({
    header: headerTitle(c, o.timeZone),
    kind: c.type === 'time' ? 'date' : c.type === 'number' ? 'number' : c.type === 'bool' ? 'bool' : 'text',
    digits: c.digits,
    widthChars: c.type === 'time' ? 20 : Math.max(10, Math.min(60, Math.round((c.width ?? 1) * 14))),
  }));
  let n = 0;
  try {
    let sheetNo = 1;
    let sheetRows = 0;
    await xl.startSheet(report.title, columns);
    const cols = report.columns;
    const values: XlsxCell[] = new Array(cols.length);
    for (const row of report.rows()) {
      if (sheetRows >= XLSX_ROWS_PER_SHEET) {
        await xl.startSheet(`${report.title} (${++sheetNo})`, columns);
        sheetRows = 0;
      }
      for (let i = 0; i < cols.length; i++) {
        const v = row[i];
        // a date cell shows wall time in the chosen zone (spreadsheet dates have no zone; the header says which)
        values[i] = v === null || v === undefined ? null : cols[i]!.type === 'time' ? new Date(z.wallMs(v as number)) : v;
      }
      await xl.row(values);
      sheetRows++;
      if (++n % PROGRESS_EVERY === 0) {
        o.onProgress?.(n);
        if (o.signal?.aborted) throw new ExportCancelled();
      }
    }
    // a sheet that says what the file is: period, filters, zone
    await xl.startSheet('About', [
      { header: 'Field', kind: 'text', widthChars: 18 },
      { header: 'Value', kind: 'text', widthChars: 60 },
    ]);
    for (const pair of [
      ['Report', report.title],
      ['Period', o.meta.period],
      ['Filters', o.meta.filters],
      ['Time zone', o.timeZone],
      ['Rows', String(n)],
      ['Generated (UTC)', new Date(o.meta.generatedMs).toISOString()],
    ])
      await xl.row(pair);
    await xl.finish({ creator: 'FleetDesk', createdMs: o.meta.generatedMs });
  } finally {
    await new Promise<void>((resolve) => stream.end(() => resolve()));
  }
  if (failed) throw failed;
  return n;
}

/** Helvetica in PDF covers Windows-1252 only: replace what it cannot draw rather than print garbage. */
function pdfText(s: string): string {
  return s.replace(/→/g, '->').replace(/≥/g, '>=').replace(/≤/g, '<=').replace(/×/g, 'x').replace(/[^\x20-\x7e\u00a0-\u00ff\u20ac\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]/g, '?');
}

async function writePdf(report: Report, file: string, o: WriteOptions): Promise<number> {
  const z = new ZonedTime(o.timeZone);
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: `FleetDesk - ${report.title}`, Creator: 'FleetDesk' } });
  const stream = createWriteStream(file);
  doc.pipe(stream);
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', () => resolve());
    stream.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.font('Helvetica-Bold').fontSize(18).text(pdfText(`FleetDesk - ${report.title}`));
  doc.font('Helvetica').fontSize(10).fillColor('#333');
  doc.text(pdfText(`Period: ${o.meta.period}`));
  doc.text(pdfText(`Filters: ${o.meta.filters}`));
  doc.text(pdfText(`Times in ${o.timeZone}. Generated ${z.short(o.meta.generatedMs)}. ${report.rowCount.toLocaleString('en')} rows${report.rowCount > PDF_MAX_ROWS ? ` (the first ${PDF_MAX_ROWS.toLocaleString('en')} are printed; export CSV or XLSX for all)` : ''}.`));
  doc.moveDown(0.5);

  // map: the report's geometry drawn to scale (equirectangular) in a box, when it has any
  type Box = { x: number; y: number; w: number; h: number };
  const figures: ((b: Box) => void)[] = [];
  if (report.features) {
    const lines: [number, number][][] = [];
    const points: [number, number][] = [];
    for (const f of report.features()) {
      if (f.kind === 'line') lines.push(simplifiedForMap([...f.coords]));
      else if (f.kind === 'point') points.push([f.lon, f.lat]);
      else for (const ring of f.rings.slice(0, 1)) lines.push(ring.map((c) => [c[0]!, c[1]!]));
      if (lines.length + points.length > 5000) break;
    }
    const all = [...lines.flat(), ...points];
    if (all.length > 0) figures.push((b) => drawMap(doc, b, lines, points, all, 'Map'));
  }
  if (report.chart && report.chart.values.length > 0) {
    const chart = report.chart;
    figures.push((b) => drawBars(doc, b, chart.title, chart.labels, chart.values, chart.unit));
  }
  if (figures.length > 0) {
    const top = doc.y;
    const boxW = figures.length === 2 ? (width - 18) / 2 : width * 0.6;
    figures.forEach((draw, i) => draw({ x: left + i * (boxW + 18), y: top, w: boxW, h: 200 }));
    doc.x = left;
    doc.y = top + 215;
  }

  // table
  const cols = report.columns;
  const weights = cols.map((c) => c.width ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const colW = weights.map((w) => (w / total) * width);
  const fontSize = cols.length > 12 ? 6.5 : cols.length > 8 ? 7.5 : 9;
  const rowH = fontSize + 5;
  const bottom = doc.page.height - doc.page.margins.bottom;
  // A header wraps between words, never inside one: a column whose longest word is wider than the
  // column gets a smaller font for its header ("Acknowledg / ed" before).
  const headerSizes = cols.map((c, i) => {
    doc.font('Helvetica-Bold').fontSize(fontSize);
    const longest = Math.max(...pdfText(c.title).split(/\s+/).map((word) => doc.widthOfString(word)));
    return Math.max(4.5, Math.min(fontSize, (fontSize * (colW[i]! - 4)) / Math.max(1, longest)));
  });
  const header = () => {
    doc.font('Helvetica-Bold').fillColor('#000');
    let x = left;
    const y = doc.y;
    cols.forEach((c, i) => {
      doc.fontSize(headerSizes[i]!).text(pdfText(c.title), x + 2, y, { width: colW[i]! - 4, height: rowH * 2, ellipsis: true });
      x += colW[i]!;
    });
    doc.y = y + rowH * 2;
    doc.moveTo(left, doc.y - 2).lineTo(left + width, doc.y - 2).strokeColor('#888').lineWidth(0.5).stroke();
    doc.font('Helvetica').fontSize(fontSize);
  };
  if (doc.y + rowH * 3 > bottom) doc.addPage();
  header();
  let n = 0;
  for (const row of report.rows()) {
    if (n >= PDF_MAX_ROWS) break;
    if (doc.y + rowH > bottom) {
      doc.addPage();
      header();
    }
    let x = left;
    const y = doc.y;
    if (n % 2 === 1) doc.rect(left, y - 1, width, rowH).fillColor('#f0f3f6').fill();
    doc.fillColor('#000');
    cols.forEach((c, i) => {
      const v = row[i] ?? null;
      const text = v === null ? '' : c.type === 'time' ? z.short(v as number) : c.type === 'number' && typeof v === 'number' ? v.toFixed(c.digits ?? 2) : cellText(v, c, z);
      doc.text(pdfText(text), x + 2, y, { width: colW[i]! - 4, height: rowH, lineBreak: false, ellipsis: true, align: c.type === 'number' ? 'right' : 'left' });
      x += colW[i]!;
    });
    doc.y = y + rowH;
    if (++n % 500 === 0) {
      o.onProgress?.(n);
      if (o.signal?.aborted) {
        doc.end();
        await done;
        throw new ExportCancelled();
      }
    }
  }
  if (n === 0) doc.font('Helvetica-Oblique').text('No rows in this period.', left, doc.y + 4);
  doc.end();
  await done;
  return Math.min(n, report.rowCount);
}

type Doc = InstanceType<typeof PDFDocument>;

function drawMap(doc: Doc, { x, y, w, h }: { x: number; y: number; w: number; h: number }, lines: [number, number][][], points: [number, number][], all: [number, number][], title: string): void {
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#000').text(title, x, y);
  const top = y + 12;
  const bh = h - 12;
  let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (const [lon, lat] of all) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((w - 12) / spanX, (bh - 12) / spanY);
  const ox = x + (w - spanX * scale) / 2;
  const oy = top + (bh - spanY * scale) / 2;
  const px = (lon: number) => ox + (lon - minLon) * kx * scale;
  const py = (lat: number) => oy + (maxLat - lat) * scale;
  doc.save();
  doc.rect(x, top, w, bh).fillColor('#dfe8ef').fill(); // water
  // the bundled basemap behind the report's geometry: land and place names, clipped to the box
  doc.save();
  doc.rect(x, top, w, bh).clip();
  const box = {
    minLon: minLon - (ox - x) / (kx * scale),
    maxLon: minLon + (x + w - ox) / (kx * scale),
    minLat: maxLat - (top + bh - oy) / scale,
    maxLat: maxLat + (oy - top) / scale,
  };
  paintBasemap(box, px, py, {
    land: (ring) => {
      doc.moveTo(ring[0]![0], ring[0]![1]);
      for (let j = 1; j < ring.length; j++) doc.lineTo(ring[j]![0], ring[j]![1]);
      doc.closePath().fillColor('#f6f4ee').fill();
    },
    place: (name, lx, ly) => {
      doc.circle(lx, ly, 1.2).fillColor('#777').fill();
      doc.font('Helvetica').fontSize(6.5).fillColor('#555').text(pdfText(name), lx + 3, ly - 3.5, { lineBreak: false });
    },
  });
  doc.restore();
  doc.rect(x, top, w, bh).strokeColor('#aab').lineWidth(0.5).stroke();
  const colours = ['#1565c0', '#ef6c00', '#6a1b9a', '#2e7d32', '#c2185b', '#00838f'];
  lines.forEach((line, i) => {
    if (line.length < 2) return;
    doc.moveTo(px(line[0]![0]), py(line[0]![1]));
    for (let j = 1; j < line.length; j++) doc.lineTo(px(line[j]![0]), py(line[j]![1]));
    doc.strokeColor(colours[i % colours.length]!).lineWidth(1).stroke();
  });
  for (const [lon, lat] of points.slice(0, 3000)) doc.circle(px(lon), py(lat), 1.8).fillColor('#c62828').fill();
  // scale bar
  const kmPerPt = (1 / scale) * 111.195;
  const barKm = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((k) => k / kmPerPt > 40) ?? 1000;
  const barPt = barKm / kmPerPt;
  doc.moveTo(x + 8, top + bh - 8).lineTo(x + 8 + barPt, top + bh - 8).strokeColor('#000').lineWidth(1.5).stroke();
  doc.font('Helvetica').fontSize(7).fillColor('#000').text(`${barKm} km`, x + 10 + barPt, top + bh - 12);
  doc.restore();
}

function drawBars(doc: Doc, { x, y, w, h }: { x: number; y: number; w: number; h: number }, title: string, labels: string[], values: number[], unit: string): void {
  doc.font('Helvetica-Bold').fontSize(9).fillColor('#000').text(pdfText(title), x, y);
  const n = Math.min(values.length, 30);
  const max = Math.max(1e-9, ...values.slice(0, n));
  const top = y + 14;
  const barH = Math.max(4, Math.min(14, (h - 14) / n - 2));
  doc.font('Helvetica').fontSize(Math.min(8, barH));
  for (let i = 0; i < n; i++) {
    const by = top + i * (barH + 2);
    doc.fillColor('#000').text(pdfText(labels[i]!), x, by, { width: 90, height: barH, lineBreak: false, ellipsis: true });
    const bw = ((w - 150) * values[i]!) / max;
    doc.rect(x + 94, by, Math.max(0.5, bw), barH).fillColor('#1565c0').fill();
    doc.fillColor('#000').text(`${values[i]} ${unit}`, x + 98 + bw, by, { lineBreak: false });
  }
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

async function writeGeo(report: Report, format: 'gpx' | 'kml' | 'geojson', file: string, o: WriteOptions): Promise<number> {
  if (!report.features) throw new Error(`the ${report.name} report has no map geometry`);
  const out = openOut(file);
  let n = 0;
  let vertices = 0;
  // rows as the report counts them (its progress total and the figure in the UI and audit log)
  const rows = () => (report.geoRowIsVertex ? vertices : n);
  const tick = async () => {
    if (++vertices % PROGRESS_EVERY === 0) {
      o.onProgress?.(rows());
      if (o.signal?.aborted) throw new ExportCancelled();
    }
  };
  const iso = (ms: number) => new Date(ms).toISOString(); // GPX and KML times are UTC by their specs
  try {
    if (format === 'geojson') {
      await out.write(`{"type":"FeatureCollection","name":${JSON.stringify(report.title)},"features":[\n`);
    } else if (format === 'gpx') {
      await out.write(`<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="FleetDesk" xmlns="http://www.topografix.com/GPX/1/1">\n<metadata><name>${xml(report.title)}</name><desc>${xml(`${o.meta.period}; ${o.meta.filters}`)}</desc><time>${iso(o.meta.generatedMs)}</time></metadata>\n`);
    } else {
      await out.write(`<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document><name>${xml(report.title)}</name><description>${xml(`${o.meta.period}; ${o.meta.filters}`)}</description>\n`);
    }
    // GPX wants waypoints before tracks: two passes over the features when writing GPX
    const passes: ('point' | 'other')[] = format === 'gpx' ? ['point', 'other'] : ['other'];
    for (const pass of passes) {
      for (const f of report.features()) {
        if (format === 'gpx' && (pass === 'point') !== (f.kind === 'point')) continue;
        await writeFeature(out, format, f, n, tick, iso);
        n++;
      }
    }
    await out.write(format === 'geojson' ? '\n]}\n' : format === 'gpx' ? '</gpx>\n' : '</Document>\n</kml>\n');
  } finally {
    await out.end();
  }
  return rows();
}

async function writeFeature(out: Out, format: 'gpx' | 'kml' | 'geojson', f: GeoFeature, index: number, tick: () => Promise<void>, iso: (ms: number) => string): Promise<void> {
  if (format === 'geojson') {
    const props = JSON.stringify({ name: f.name, description: f.description, ...f.props });
    await out.write(index === 0 ? '' : ',\n');
    if (f.kind === 'point') {
      await out.write(`{"type":"Feature","geometry":{"type":"Point","coordinates":[${f.lon},${f.lat}]},"properties":${JSON.stringify({ name: f.name, description: f.description, time: f.tsMs === null ? null : iso(f.tsMs), ...f.props })}}`);
    } else if (f.kind === 'polygon') {
      await out.write(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":${JSON.stringify(rewindRings(f.rings))}},"properties":${props}}`);
    } else {
      await out.write(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[`);
      let first = true;
      for (const c of f.coords) {
        await out.write(`${first ? '' : ','}[${c[0]},${c[1]}]`);
        first = false;
        await tick();
      }
      await out.write(`]},"properties":${props}}`);
    }
    return;
  }
  if (format === 'gpx') {
    if (f.kind === 'point') {
      await out.write(`<wpt lat="${f.lat}" lon="${f.lon}">${f.tsMs === null ? '' : `<time>${iso(f.tsMs)}</time>`}<name>${xml(f.name)}</name><desc>${xml(f.description)}</desc></wpt>\n`);
      return;
    }
    await out.write(`<trk><name>${xml(f.name)}</name><desc>${xml(f.description)}</desc>\n`);
    const segs: Iterable<Iterable<[number, number, number | null]>> = f.kind === 'line' ? [f.coords] : f.rings.map((r) => r.map((c) => [c[0]!, c[1]!, null] as [number, number, null]));
    for (const seg of segs) {
      await out.write('<trkseg>\n');
      for (const c of seg) {
        await out.write(`<trkpt lat="${c[1]}" lon="${c[0]}">${c[2] === null ? '' : `<time>${iso(c[2])}</time>`}</trkpt>\n`);
        await tick();
      }
      await out.write('</trkseg>\n');
    }
    await out.write('</trk>\n');
    return;
  }
  // KML
  const data = Object.entries(f.props)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<Data name="${xml(k)}"><value>${xml(String(v))}</value></Data>`)
    .join('');
  await out.write(`<Placemark><name>${xml(f.name)}</name><description>${xml(f.description)}</description><ExtendedData>${data}</ExtendedData>`);
  if (f.kind === 'point') {
    await out.write(`${f.tsMs === null ? '' : `<TimeStamp><when>${iso(f.tsMs)}</when></TimeStamp>`}<Point><coordinates>${f.lon},${f.lat}</coordinates></Point></Placemark>\n`);
  } else if (f.kind === 'polygon') {
    const ring = (r: number[][]) => `<LinearRing><coordinates>${r.map((c) => `${c[0]},${c[1]}`).join(' ')}</coordinates></LinearRing>`;
    await out.write(`<Polygon><outerBoundaryIs>${ring(f.rings[0] ?? [])}</outerBoundaryIs>${f.rings.slice(1).map((r) => `<innerBoundaryIs>${ring(r)}</innerBoundaryIs>`).join('')}</Polygon></Placemark>\n`);
  } else {
    let firstMs: number | null = null;
    let lastMs: number | null = null;
    await out.write('<LineString><tessellate>1</tessellate><coordinates>');
    for (const c of f.coords) {
      await out.write(`${c[0]},${c[1]} `);
      if (c[2] !== null) (firstMs ??= c[2], (lastMs = c[2]));
      await tick();
    }
    await out.write(`</coordinates></LineString>${firstMs !== null && lastMs !== null ? `<TimeSpan><begin>${iso(firstMs)}</begin><end>${iso(lastMs)}</end></TimeSpan>` : ''}</Placemark>\n`);
  }
}

/**
 * Writes a report to `file` in a format. On success the file is complete and in place; on cancel or
 * error nothing is left behind (the partial `.part` file is removed) and the error is thrown.
 */
export async function writeReport(report: Report, format: ExportFormat, file: string, o: WriteOptions): Promise<{ rows: number; bytes: number }> {
  const part = `${file}.part`;
  if (o.signal?.aborted) throw new ExportCancelled();
  try {
    let rows: number;
    if (format === 'csv') rows = await writeCsv(report, part, o);
    else if (format === 'xlsx') rows = await writeXlsx(report, part, o);
    else if (format === 'pdf') rows = await writePdf(report, part, o);
    else rows = await writeGeo(report, format, part, o);
    renameSync(part, file);
    o.onProgress?.(rows);
    return { rows, bytes: statSync(file).size };
  } catch (err) {
    rmSync(part, { force: true });
    throw err;
  }
}
