// Electron entry: a thin shell that builds the FleetService and opens one sandboxed window onto it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import workerPath from './worker/engine.worker?modulePath';
import { EVENT_NAMES, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, TILE_SCHEME } from '../shared/api';
import { CONTENT_SECURITY_POLICY } from './adapters/csp';
import { FleetService } from './app/service';
import { createDispatcher } from './api/dispatch';
import { localCaller } from './api/handlers';
import { FileSecretStore, secretsFileFor } from './core/security/secret-store';
import { KnownHubs } from './core/security/known-hubs';
import { Launcher } from './app/launcher';
import { START_CHANNEL } from '../shared/start';
import { X509Certificate } from 'node:crypto';

const RENDERER_FILE = path.join(import.meta.dirname, '../renderer/index.html');
const RENDERER_URL = pathToFileURL(RENDERER_FILE).href; // escapes spaces and non-ASCII in the install path
const START_FILE = path.join(import.meta.dirname, '../renderer/start.html');
const START_URL = pathToFileURL(START_FILE).href;
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
 * WSS), trusting exactly the certificate the launcher settled on (the one accepted on the first connection,
 * like SSH's known hosts). No local service runs.
 */
function openHub(target: { url: string; fingerprint: string }): void {
  const origin = new URL(target.url).origin;
  const hubHost = new URL(target.url).hostname.replace(/^\[|\]$/g, '');
  // that certificate, for that hub, and nothing else
  session.defaultSession.setCertificateVerifyProc((req, callback) => callback(req.hostname.replace(/^\[|\]$/g, '') === hubHost && certFingerprint(req.certificate.data) === target.fingerprint ? 0 : -2));
  // nothing but the hub: its pages, its WebSocket, its tiles
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url;
    callback({ cancel: !(u.startsWith(`${origin}/`) || u === origin || u.startsWith(`${origin.replace('https', 'wss')}/`) || u.startsWith('devtools://') || u.startsWith('data:')) });
  });
  createWindow(target.url);
}

/** SHA-256 fingerprint (AB:CD:…) of a PEM certificate, as KnownHubs keeps it. */
function certFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** `--hub=URL` (or FLEETDESK_HUB): straight to that hub, asking with a native dialog on a first connection. */
async function connectFromCommandLine(launcher: Launcher, hubArg: string): Promise<void> {
  const check = await launcher.check(hubArg);
  let trust: string | undefined;
  if (check.status === 'new') {
    const r = await dialog.showMessageBox({ type: 'question', buttons: ['Trust this hub', 'Cancel'], defaultId: 1, cancelId: 1, title: 'Connect to a FleetDesk hub', message: check.message });
    if (r.response !== 0) return app.exit(0);
    trust = check.fingerprint!;
  }
  const opened = await launcher.open({ mode: 'hub', url: hubArg, trust }, false);
  if (!opened.ok || launcher.target?.mode !== 'hub') {
    dialog.showErrorBox(check.status === 'changed' ? 'The hub’s certificate has changed' : 'FleetDesk could not connect to the hub', opened.ok ? check.message : opened.message);
    return app.exit(1);
  }
  openHub(launcher.target);
}

/**
 * The start screen: this computer or a hub. Its bridge reaches the launcher only; once it has decided, the
 * app window opens (the local service started first) and the start window closes.
 */
function showStartWindow(launcher: Launcher): void {
  // the start page needs nothing from any network: its own files only
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !(details.url.startsWith('file://') || details.url.startsWith('devtools://') || (DEV_URL !== undefined && details.url.startsWith(DEV_URL.replace(/\/$/, '')))) }));
  const startWin = new BrowserWindow({
    width: 900,
    height: 620,
    title: 'FleetDesk',
    backgroundColor: '#15191e',
    show: false,
    webPreferences: { preload: path.join(import.meta.dirname, '../preload/start.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  startWin.once('ready-to-show', () => startWin.show());
  startWin.webContents.on('will-navigate', (e) => e.preventDefault());
  startWin.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const trusted = (event: IpcMainInvokeEvent) => event.sender === startWin.webContents && event.senderFrame === startWin.webContents.mainFrame && (event.senderFrame?.url.split('#')[0] ?? '') === (DEV_URL ? `${DEV_URL.replace(/\/$/, '')}/start.html` : START_URL);
  ipcMain.handle(START_CHANNEL, async (event, op: unknown, a: unknown, b: unknown) => {
    if (!trusted(event)) throw new Error('untrusted sender');
    if (op === 'state') return launcher.state();
    if (op === 'check') return launcher.check(typeof a === 'string' ? a.slice(0, 300) : '');
    if (op !== 'open' || typeof a !== 'object' || a === null) throw new Error('unknown start operation');
    const c = a as { mode?: unknown; url?: unknown; trust?: unknown };
    const choice = c.mode === 'local' ? { mode: 'local' as const } : { mode: 'hub' as const, url: String(c.url ?? '').slice(0, 300), trust: typeof c.trust === 'string' ? c.trust : undefined };
    const r = await launcher.open(choice, b === true);
    if (r.ok) {
      const target = launcher.target!;
      try {
        if (target.mode === 'local') await startLocal();
        else openHub(target);
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
      ipcMain.removeHandler(START_CHANNEL);
      startWin.destroy();
    }
    return r;
  });
  if (DEV_URL) void startWin.loadURL(`${DEV_URL.replace(/\/$/, '')}/start.html`);
  else void startWin.loadFile(START_FILE);
}

/** The app menu: the usual edit and view roles, and the way back to the start screen. */
function setMenu(launcher: Launcher): void {
  const switchItem = {
    label: 'Switch computer or hub…',
    click: () => {
      launcher.askNextTime();
      app.relaunch({ args: process.argv.slice(1).filter((x) => !x.startsWith('--hub=')) });
      app.quit();
    },
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { label: 'FleetDesk', submenu: [switchItem, { type: 'separator' }, { role: 'quit' }] },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  );
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  await app.whenReady();
  const userData = app.getPath('userData');
  const launcher = new Launcher({ prefsFile: path.join(userData, 'start.json'), knownHubs: new KnownHubs(path.join(userData, 'known-hubs.json')) });
  setMenu(launcher);
  // a control-room workstation set up by its admin: `--hub=https://host:port` (or FLEETDESK_HUB)
  const hubArg = process.argv.find((a) => a.startsWith('--hub='))?.slice(6) ?? process.env['FLEETDESK_HUB'];
  if (hubArg) return connectFromCommandLine(launcher, hubArg);
  // the choice made last time, unless it was "ask me" (or `--choose`); a remembered hub that fails shows the screen
  const remembered = process.argv.includes('--choose') ? null : launcher.remembered();
  if (remembered?.mode === 'local') return startLocal();
  if (remembered?.mode === 'hub' && (await launcher.open(remembered, true)).ok && launcher.target?.mode === 'hub') return openHub(launcher.target);
  showStartWindow(launcher);
}

/** This computer's own FleetDesk: service, tiles, IPC bridge, then the window. */
async function startLocal(): Promise<void> {
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
    // the upstream (headquarters) broker's password, set in Settings, sealed like the broker's
    secrets: secretStore,
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
    // Settings → Share this FleetDesk on the network: these UI files, over HTTPS/WSS with sign-in
    share: { rendererDir: path.join(import.meta.dirname, '../renderer') },
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

  // local mode signs this computer's own user in: actions are recorded with the system account's name
  const operator = localCaller('local', safeUserName());
  const dispatcher = createDispatcher(service.handlers, { log: (line) => console.error(`[fleetdesk] ${line}`) });
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'bad_request', message: 'untrusted sender' } };
    return dispatcher.call(method, params, operator);
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
