// The ingest path as it runs: the embedded broker (or a subscriber to an external one), the OsmAnd
// endpoint and the demo fleet, all feeding one Ingestor. Its measured design (group commit, PUBACK after
// commit, backpressure) lives in core/ingest and the adapters; this only wires it.
import type { BrokerConnectionState } from '../../../shared/contract/ingest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../adapters/embedded-broker';
import { clientIdFor, MqttSubscriber, redactUrl, type BrokerSettings } from '../../adapters/mqtt-subscriber';
import { startOsmAndServer, type OsmAndServer } from '../../adapters/osmand-server';
import { SimPublisher } from '../../adapters/sim-publisher';
import { Ingestor } from '../../core/ingest/ingestor';
import { checkDeviceKey } from '../../core/security/broker-policy';
import type { IncomingPoint, Store } from '../../core/storage/store';
import type { TelemetryPoint } from '../../../shared/contract/vehicles';
import type { DeviceAccess, DeviceListeners } from '../devices/access';

export interface IngestOptions {
  dbFile: string;
  /** External broker; when omitted an embedded broker is started. */
  broker?: BrokerSettings;
  embeddedBroker?: { port: number; host?: string; allowAnonymous?: boolean; tls?: { port: number; certFile: string; keyFile: string } };
  osmand?: { port: number; host?: string };
  demo?: { vehicles: number; rateHz: number; seed?: number };
}

export class IngestPipeline {
  ingestor!: Ingestor;
  private embedded: EmbeddedBroker | null = null;
  private subscriber: MqttSubscriber | null = null;
  private osmand: OsmAndServer | null = null;
  private osmandError: string | null = null;
  private sim: SimPublisher | null = null;
  brokerState: { state: BrokerConnectionState; url: string; lastError: string | null } = { state: 'connecting', url: '', lastError: null };

  constructor(
    private readonly o: IngestOptions,
    private readonly d: {
      store: Store;
      access: DeviceAccess;
      /** The newest stored fixes, so duplicates and order are judged from where the last run stopped. */
      latest: TelemetryPoint[];
      onCommitted: (points: IncomingPoint[], receivedMs: number) => void;
      statusChanged: () => void;
      log: (line: string) => void;
      /** What the embedded broker sees devices do with FleetDesk's downlink (dispatching listens). */
      devices?: { acked(vehicleId: string, topic: string, payload: Buffer): void; subscribed(vehicleId: string, filters: string[]): void };
    },
  ) {}

  /** Where FleetDesk's own clients connect, with what (the embedded broker's internal login, or the configured broker's). */
  clientSettings(): BrokerSettings {
    return this.embedded ? { url: this.embedded.url, username: this.d.access.internal.username, password: this.d.access.internal.secret } : this.o.broker!;
  }

  get brokerUrl(): string {
    return this.embedded?.url ?? this.o.broker?.url ?? '';
  }

  listeners(): DeviceListeners {
    return {
      embeddedUrls: this.embedded ? [this.embedded.url, ...(this.embedded.tlsUrl ? [this.embedded.tlsUrl] : [])] : null,
      osmandRefusals: this.osmand?.refusals ?? null,
    };
  }

  osmandState(): { url: string | null; error: string | null } {
    return { url: this.osmand?.url ?? null, error: this.osmandError };
  }

  async start(): Promise<void> {
    const { store, access, log } = this.d;
    this.ingestor = new Ingestor({
      store,
      latest: this.d.latest,
      // Embedded: commit as soon as the input drains, for the lowest publish→PUBACK latency (the broker
      // reads on meanwhile, so messages arriving together still share a commit); an external broker's
      // deliveries are gathered for up to the default interval.
      minCommitIntervalMs: this.o.broker ? undefined : 0,
      onCommitted: this.d.onCommitted,
      // failing to save (disk full) and saving again are said on the status bar as soon as they happen
      onError: (m) => {
        log(m);
        this.d.statusChanged();
      },
    });

    let settings = this.o.broker;
    if (!settings) {
      // Embedded: the broker hands telemetry straight to the ingestor, and FleetDesk sends the PUBACK after
      // the commit, so there is no subscriber hop and no broker-side copy that a crash could lose.
      const eb = this.o.embeddedBroker;
      this.embedded = await startEmbeddedBroker({
        port: eb?.port ?? 1883,
        host: eb?.host,
        tls: eb?.tls,
        security: () => access.security(),
        ingest: (topic, payload, done) => this.ingestor.acceptMqtt(topic, payload, done),
        ingestBackpressure: () => (this.ingestor.full ? this.ingestor.whenDrained() : null),
        log,
        loginGuard: access.loginGuard,
        verified: access.verified,
        deviceAcked: (v, topic, payload) => this.d.devices?.acked(v, topic, payload),
        deviceSubscribed: (v, filters) => this.d.devices?.subscribed(v, filters),
      });
      log(`embedded MQTT broker listening on ${this.embedded.url}${this.embedded.tlsUrl ? ` and ${this.embedded.tlsUrl}` : ''}`);
      settings = { url: this.embedded.url, username: access.internal.username, password: access.internal.secret };
      this.brokerState = { state: 'connected', url: redactUrl(settings.url), lastError: null };
    } else {
      this.brokerState = { state: 'connecting', url: redactUrl(settings.url), lastError: null };
      this.subscriber = new MqttSubscriber(
        { ...settings, clientId: settings.clientId ?? clientIdFor(`${settings.url}|${this.o.dbFile}`) },
        {
          onState: (state, error) => {
            this.brokerState = { ...this.brokerState, state, lastError: error ?? (state === 'connected' ? null : this.brokerState.lastError) };
            if (error) log(`broker: ${error}`);
            this.d.statusChanged();
          },
          onMessage: (topic, payload, ack) => this.ingestor.acceptMqtt(topic, payload, ack),
          backpressure: () => (this.ingestor.full ? this.ingestor.whenDrained() : null),
        },
      );
      this.subscriber.start();
    }

    if (this.o.osmand) {
      try {
        this.osmand = await startOsmAndServer(this.ingestor, {
          port: this.o.osmand.port,
          host: this.o.osmand.host,
          log,
          authorize: (vehicleId, key, address) => checkDeviceKey(access.security(), vehicleId, key, address, access.verified, access.loginGuard, Date.now()),
          refused: (vehicleId, reason, address) => access.loginGuard.record({ atMs: Date.now(), reason, username: vehicleId, address, detail: 'OsmAnd' }),
        });
        log(`OsmAnd endpoint listening on ${this.osmand.url}`);
      } catch (err) {
        // Not fatal: MQTT keeps working; the status bar says why this endpoint is missing.
        this.osmandError = (err as Error).message;
        log(this.osmandError);
      }
    }

    if (this.o.demo) {
      this.sim = new SimPublisher({ brokerUrl: settings.url, username: settings.username, password: settings.password, ...this.o.demo });
      this.sim.run().catch((err) => log(`demo fleet stopped: ${(err as Error).message}`));
    }
  }

  /** Stops the sources first, then the ingestor (which commits what it holds). */
  async stopSources(): Promise<void> {
    await this.sim?.stop();
    await this.subscriber?.stop();
    await this.osmand?.close();
    this.ingestor?.close();
  }

  async closeBroker(): Promise<void> {
    await this.embedded?.close();
  }
}
