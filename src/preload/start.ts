// Preload of the start window: the start screen's bridge (where the app goes), nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { START_CHANNEL, type StartBridge } from '../shared/start';

const bridge: StartBridge = {
  state: () => ipcRenderer.invoke(START_CHANNEL, 'state'),
  check: (address) => ipcRenderer.invoke(START_CHANNEL, 'check', address),
  open: (choice, remember) => ipcRenderer.invoke(START_CHANNEL, 'open', choice, remember),
};

contextBridge.exposeInMainWorld('fleetdeskStart', bridge);
