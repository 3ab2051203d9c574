import { BenchClient } from '../client.js';
import type { Endpoint } from '../generator-protocol.js';

/** One subscriber consuming everything on a filter at QoS 1 (the relay's far end), counting it. */
export class Sink {
  #client: BenchClient | undefined;
  #received = 0;

  get received(): number {
    return this.#received;
  }

  async start(endpoint: Endpoint, filter: string): Promise<number[]> {
    this.close();
    const client = new BenchClient({
      host: endpoint.host,
      port: endpoint.port,
      clientId: `bench-sink-${process.pid}`,
      connectTimeoutMs: 10_000,
      onPublish: () => {
        this.#received++;
      },
    });
    await client.connect();
    this.#client = client;
    return client.subscribe([filter]);
  }

  close(): void {
    this.#client?.destroy();
    this.#client = undefined;
  }
}
