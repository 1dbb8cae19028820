// Leaflet puts a string tooltip or attribution into innerHTML: anything a user or a file named (fence,
// vehicle, MBTiles name, tile attribution) goes through here so it is always shown as text.

/** A tooltip's content as a text node's element: markup in `s` is shown, never run. */
export function textContent(s: string): HTMLElement {
  const el = document.createElement('span');
  el.textContent = s;
  return el;
}

/** `s` with HTML's special characters escaped, for the few Leaflet APIs that take only a string. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
