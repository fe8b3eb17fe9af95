// A TCP proxy in front of PostgreSQL that a test can cut and restore (the
// database "stops" and "returns") or slow down (every chunk, both ways, is held
// for `latencyMs`: a slow network or an overloaded server), without touching the
// code under test.
import net from "node:net";

/** Forwards chunks after a delay, in order, even when the delay changes mid-stream. */
function delayed(from: net.Socket, to: net.Socket, latency: () => number): void {
  let releaseAt = 0;
  from.on("data", (chunk: Buffer) => {
    const ms = latency();
    if (ms <= 0 && releaseAt <= Date.now()) {
      to.write(chunk);
      return;
    }
    releaseAt = Math.max(Date.now() + ms, releaseAt);
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, releaseAt - Date.now());
  });
  from.on("end", () => setTimeout(() => to.end(), Math.max(0, releaseAt - Date.now())));
}

export class Cable {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Added to every chunk in both directions. */
  latencyMs = 0;

  constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  /** A cable in front of the database of `url`, on a random local port; returns it and the URL through it. */
  static async inFrontOf(url: string): Promise<{ cable: Cable; url: string }> {
    const real = new URL(url);
    const port = 45_000 + Math.floor(Math.random() * 10_000);
    const cable = new Cable(port, { host: real.hostname, port: Number(real.port || 5432) });
    await cable.up();
    const via = new URL(url);
    via.port = String(port);
    return { cable, url: via.toString() };
  }

  async up(): Promise<void> {
    if (this.server?.listening) return;
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => {
          this.sockets.delete(s);
          (s === client ? upstream : client).destroy();
        });
        s.on("error", () => undefined);
      }
      delayed(client, upstream, () => this.latencyMs);
      delayed(upstream, client, () => this.latencyMs);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
