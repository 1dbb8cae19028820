// The embedded MQTT broker (aedes) for offline depots and the demo: listens on loopback by default.
import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} on ${host} is already in use, so the embedded MQTT broker cannot start. ` +
        `Another broker may be running: stop it, choose another port (--embedded-broker-port), ` +
        `or connect to it instead (--broker mqtt://${host}:${port}).`,
    );
    this.name = 'PortInUseError';
  }
}

/** Starts aedes on host:port (port 0 picks a free one). Rejects with PortInUseError if the port is taken. */
export async function startEmbeddedBroker(port = 1883, host = '127.0.0.1'): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      broker.close();
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err);
    });
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as net.AddressInfo).port;
  return {
    host,
    port: actualPort,
    url: `mqtt://${host}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        broker.close();
        // server.close waits for open sockets; aedes closing its clients ends them.
      }),
  };
}
