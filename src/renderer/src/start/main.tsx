// Start screen entry (desktop app only): the bridge comes from the start window's preload.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { StartBridge } from '../../../shared/start';
import { StartScreen } from './StartScreen';
import '../styles.css';

const bridge = (window as unknown as { fleetdeskStart?: StartBridge }).fleetdeskStart;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StartScreen bridge={bridge} />
  </StrictMode>,
);
