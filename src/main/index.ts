// Electron entry: a thin shell that builds the FleetService and opens one sandboxed window onto it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import workerPath from './worker/engine.worker?modulePath';
import { EVENT_NAMES, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, TILE_SCHEME } from '../shared/api';
import { CONTENT_SECURITY_POLICY } from './adapters/csp';
import { FleetService } from './app/service';
import { createDispatcher } from './api/dispatch';
import { localCaller } from './api/handlers';
import { FileSecretStore, secretsFileFor } from './core/security/secret-store';
import { KnownHubs, probeHubCertificate } from './core/security/known-hubs';
import { X509Certificate } from 'node:crypto';

const RENDERER_FILE = path.join(import.meta.dirname, '../renderer/index.html');
const RENDERER_URL = pathToFileURL(RENDERER_FILE).href; // escapes spaces and non-ASCII in the install path
const DEV_URL = process.env['ELECTRON_RENDERER_URL'];

let win: BrowserWindow | null = null;
let service: FleetService | null = null;

/** Only our own page, in the top frame, may call the API. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame || event.sender !== win?.webContents) return false;
  const url = frame.url.split('#')[0] ?? '';
  return DEV_URL ? url.startsWith(DEV_URL) : url === RENDERER_URL;
}

/** The app's window: this computer's UI over IPC, or (`hubUrl`) a hub's own UI over WSS, with no bridge. */
function createWindow(hubUrl?: string): void {
  win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'FleetDesk',
    backgroundColor: '#15191e',
    // Linux takes the window icon from here (Windows and macOS from the packaged app's icon)
    icon: app.isPackaged ? path.join(process.resourcesPath, 'icon.png') : path.join(import.meta.dirname, '../../resources/icons/512x512.png'),
    show: false,
    webPreferences: {
      // a hub's pages talk to the hub only: they get no IPC bridge into this computer
      preload: hubUrl ? undefined : path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  // No navigation away from the app and no new windows; external links open in the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (hubUrl) void win.loadURL(hubUrl);
  else if (DEV_URL) void win.loadURL(DEV_URL);
  else void win.loadFile(RENDERER_FILE);
}

// map tiles are served by the main process on our own scheme (MBTiles and the online-tile cache)
protocol.registerSchemesAsPrivileged([{ scheme: TILE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/**
 * A workstation of a control room: the window shows the hub's own UI (same renderer, same contract, over
 * WSS), trusting exactly the certificate this workstation accepted on its first connection (known hubs,
 * like SSH's known hosts); a changed certificate is refused with a warning. No local service runs.
 */
async function connectToHub(hubUrl: string): Promise<void> {
  const known = new KnownHubs(path.join(app.getPath('userData'), 'known-hubs.json'));
  let fingerprint: string;
  try {
    fingerprint = await probeHubCertificate(hubUrl);
  } catch (err) {
    dialog.showErrorBox('FleetDesk could not reach the hub', (err as Error).message);
    app.exit(1);
    return;
  }
  const decision = known.decide(hubUrl, fingerprint);
  if (decision.action === 'refuse') {
    dialog.showErrorBox('The hub’s certificate has changed', decision.message);
    app.exit(1);
    return;
  }
  if (decision.action === 'ask') {
    const r = await dialog.showMessageBox({ type: 'question', buttons: ['Trust this hub', 'Cancel'], defaultId: 1, cancelId: 1, title: 'Connect to a FleetDesk hub', message: decision.message });
    if (r.response !== 0) {
      app.exit(0);
      return;
    }
    known.remember(hubUrl, fingerprint);
  }
  const origin = new URL(hubUrl).origin;
  // that certificate, for that hub, and nothing else
  const hubHost = new URL(hubUrl).hostname;
  session.defaultSession.setCertificateVerifyProc((req, callback) => callback(req.hostname === hubHost && certFingerprint(req.certificate.data) === fingerprint ? 0 : -2));
  // nothing but the hub: its pages, its WebSocket, its tiles
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url;
    callback({ cancel: !(u.startsWith(`${origin}/`) || u === origin || u.startsWith(`${origin.replace('https', 'wss')}/`) || u.startsWith('devtools://') || u.startsWith('data:')) });
  });
  createWindow(hubUrl);
}

/** SHA-256 fingerprint (AB:CD:…) of a PEM certificate, as KnownHubs keeps it. */
function certFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

async function main(): Promise<void> {
  await app.whenReady();
  // a control-room workstation: `--hub https://host:port` (or FLEETDESK_HUB); otherwise this computer
  const hubArg = process.argv.find((a) => a.startsWith('--hub='))?.slice(6) ?? process.env['FLEETDESK_HUB'];
  if (hubArg) return connectToHub(hubArg);
  protocol.handle(TILE_SCHEME, async (request) => {
    const m = /^[a-z-]+:\/\/([A-Za-z0-9_-]+)\/(\d+)\/(\d+)\/(\d+)/.exec(request.url);
    const t = m && service ? await service.tile(m[1]!, Number(m[2]), Number(m[3]), Number(m[4])) : null;
    return t ? new Response(new Uint8Array(t.data), { headers: { 'content-type': t.contentType } }) : new Response('no tile', { status: 404 });
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // FleetDesk makes no remote requests: block anything that is not our own files or dev server.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith('file://') || details.url.startsWith(`${TILE_SCHEME}://`) || details.url.startsWith('devtools://') || details.url.startsWith('data:') || (DEV_URL !== undefined && details.url.startsWith(DEV_URL.replace(/\/$/, '')));
    callback({ cancel: !ok });
  });

  const brokerUrl = process.env['FLEETDESK_BROKER_URL'];
  const dbFile = path.join(app.getPath('userData'), 'fleetdesk.sqlite');
  // Secrets sealed by the OS keychain (safeStorage) where available, in a 0600 file beside the database.
  const secretStore = new FileSecretStore(secretsFileFor(dbFile), {
    seal: (v) => (safeStorage.isEncryptionAvailable() ? `ss:${safeStorage.encryptString(v).toString('base64')}` : v),
    unseal: (v) => (v.startsWith('ss:') ? safeStorage.decryptString(Buffer.from(v.slice(3), 'base64')) : v),
  });
  if (process.env['FLEETDESK_BROKER_PASSWORD']) {
    // Take it from the environment once, keep it sealed, so later starts need no password in the environment.
    secretStore.set('broker.password', process.env['FLEETDESK_BROKER_PASSWORD']);
  }
  service = new FleetService({
    dbFile,
    workerPath,
    broker: brokerUrl
      ? { url: brokerUrl, username: process.env['FLEETDESK_BROKER_USERNAME'], password: secretStore.get('broker.password') ?? undefined }
      : undefined,
    embeddedBroker: brokerUrl
      ? undefined
      : {
          port: Number(process.env['FLEETDESK_EMBEDDED_BROKER_PORT'] ?? 1883),
          host: process.env['FLEETDESK_EMBEDDED_BROKER_HOST'],
          allowAnonymous: process.env['FLEETDESK_ALLOW_ANONYMOUS'] === '1' || process.env['FLEETDESK_DEMO'] !== '0' ? true : undefined,
        },
    osmand: process.env['FLEETDESK_OSMAND_PORT'] === 'off' ? undefined : { port: Number(process.env['FLEETDESK_OSMAND_PORT'] ?? 5055), host: process.env['FLEETDESK_OSMAND_HOST'] },
    demo: process.env['FLEETDESK_DEMO'] === '0' ? undefined : { vehicles: 60, rateHz: 1 },
    log: (line) => console.error(`[fleetdesk] ${line}`),
    chooseMbtilesFile: async () => {
      const opts = { properties: ['openFile' as const], filters: [{ name: 'MBTiles', extensions: ['mbtiles'] }] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    // exports go where the dispatcher chooses, through the native save dialog
    chooseExportPath: async (suggestedName) => {
      const opts = { defaultPath: path.join(app.getPath('documents'), suggestedName), filters: [{ name: path.extname(suggestedName).slice(1).toUpperCase(), extensions: [path.extname(suggestedName).slice(1)] }] };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  });
  try {
    await service.start();
  } catch (err) {
    dialog.showErrorBox('FleetDesk could not start', (err as Error).message);
    app.exit(1);
    return;
  }

  const dispatcher = createDispatcher(service.handlers, { log: (line) => console.error(`[fleetdesk] ${line}`) });
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'bad_request', message: 'untrusted sender' } };
    return dispatcher.call(method, params, localCaller());
  });
  for (const name of EVENT_NAMES) {
    service.on(name, (payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, name, payload);
    });
  }
  createWindow();
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (e) => {
  if (!service) return;
  e.preventDefault();
  const s = service;
  service = null;
  void s.stop().finally(() => app.quit());
});
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

void main();
