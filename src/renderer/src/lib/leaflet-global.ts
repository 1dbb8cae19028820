// leaflet-geoman is a classic plugin that extends the global `L`; give it the same Leaflet the app uses.
import L from 'leaflet';

(window as unknown as { L: typeof L }).L = L;
