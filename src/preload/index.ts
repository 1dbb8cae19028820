// Preload: exposes exactly one narrow bridge (call + events) to the sandboxed renderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type EventName, type PreloadBridge } from '../shared/api';

const bridge: PreloadBridge = {
  call: (method, params) => ipcRenderer.invoke(IPC_CALL_CHANNEL, method, params),
  on: (listener) => {
    const wrapped = (_e: IpcRendererEvent, event: EventName, payload: unknown) => listener(event, payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  },
};

contextBridge.exposeInMainWorld('fleetdesk', bridge);
