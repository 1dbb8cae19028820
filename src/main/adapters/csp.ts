// The Content-Security-Policy of every FleetDesk page, in the app and in serve mode: nothing remote.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Leaflet sets inline styles on its panes
  "img-src 'self' data: blob: fleetdesk-tiles:", // map tiles come from FleetDesk itself, never from the network
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
