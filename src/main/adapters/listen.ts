// Starts a server listening and resolves with its port; a taken port becomes the caller's clear error.
import type net from 'node:net';

export function listen(server: net.Server, port: number, host: string, inUse: () => Error): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? Object.assign(inUse(), { code: 'EADDRINUSE' }) : err));
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}
