// Graceful shutdown on SIGTERM (what orchestrators and systemd send) and SIGINT (Ctrl-C):
//
// 1. /ready answers 503 "draining" at once (src/ops/health.ts), everything else
//    is still served: for `delayMs` (SIGTERM only) the load balancer has time
//    to see it and stop sending new requests here;
// 2. the listener closes (no new connections), idle keep-alive connections
//    are closed as they become idle, requests in flight finish — for at most
//    `drainTimeoutMs`, after which the connections still open are cut;
// 3. then `close` (the metrics listener, the tracer's buffer, the database),
//    and the process exits 0 (1 when requests had to be cut or closing failed).
// A second signal skips the waiting: connections are cut and closing starts.
import type { Server } from "node:http";
import { logger } from "../logger.js";
import type { Lifecycle } from "./lifecycle.js";

export interface ShutdownOptions {
  server: Server;
  lifecycle: Lifecycle;
  delayMs: number;
  drainTimeoutMs: number;
  /** Closes what the server used, in order (database last). */
  close: () => Promise<void>;
  exit?: (code: number) => void;
}

/** Counts requests being answered on `server` (a response counts until it is sent or its connection closes). */
export function trackRequests(server: Server): { readonly inFlight: number } {
  const state = { inFlight: 0 };
  server.on("request", (_req, res) => {
    state.inFlight++;
    res.once("close", () => state.inFlight--);
  });
  return state;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

export function installShutdown(options: ShutdownOptions): void {
  const { server, lifecycle } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const requests = trackRequests(server);
  const hurry = new AbortController();
  let started = false;

  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    if (started) {
      logger.warn({ signal, inFlight: requests.inFlight }, "second signal: cutting the requests still in flight");
      hurry.abort();
      return;
    }
    started = true;
    const t0 = Date.now();
    lifecycle.startDraining();
    // Interactive Ctrl-C: no load balancer to tell.
    const delayMs = signal === "SIGINT" ? 0 : options.delayMs;
    logger.info({ signal, inFlight: requests.inFlight, delayMs, drainTimeoutMs: options.drainTimeoutMs }, "shutting down: /ready answers 503");
    // Backstop: whatever hangs (a database that does not answer its close), the process still ends.
    const force = setTimeout(() => {
      logger.error("shutdown did not finish in time: exiting");
      exit(1);
    }, delayMs + options.drainTimeoutMs + 10_000);
    force.unref();

    await sleep(delayMs, hurry.signal);
    server.close();
    const deadline = Date.now() + options.drainTimeoutMs;
    while (requests.inFlight > 0 && Date.now() < deadline && !hurry.signal.aborted) {
      // A keep-alive connection whose request finished would otherwise hold the server open.
      server.closeIdleConnections();
      await sleep(Math.min(50, deadline - Date.now()), hurry.signal);
    }
    const cut = requests.inFlight;
    if (cut > 0) logger.warn({ cut, drainTimeoutMs: options.drainTimeoutMs }, "drain timeout: cutting the requests still in flight");
    server.closeAllConnections();
    let code = cut > 0 ? 1 : 0;
    try {
      await options.close();
    } catch (err) {
      logger.error({ err }, "closing failed");
      code = 1;
    }
    logger.info({ ms: Date.now() - t0, cut }, "shut down");
    clearTimeout(force);
    exit(code);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
