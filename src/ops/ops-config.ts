// The operator's settings, from the environment (docs/operations.md lists them all).
import { DEFAULT_SLOW_REQUEST_MS } from "./operator-view.js";

export interface OpsConfig {
  /** YARDSTICK_SLOW_REQUEST_MS: requests slower than this are logged with their statements; 0 = off. */
  slowRequestMs: number;
  /** YARDSTICK_TRUST_PROXY: how many proxies in front append to X-Forwarded-For (0 = ignore the header). */
  trustedProxies: number;
  /** YARDSTICK_METRICS_PORT (default 9464; "off" or 0 = no metrics listener) and YARDSTICK_METRICS_HOST (default 127.0.0.1). */
  metricsListener: { port: number; host: string } | null;
  /** YARDSTICK_METRICS_TOKEN: asked by the metrics listener, and opens /metrics on the API port too. */
  metricsToken?: string;
  /** YARDSTICK_SHUTDOWN_DELAY_MS: after SIGTERM, /ready answers 503 this long while everything is still served. */
  shutdownDelayMs: number;
  /** YARDSTICK_DRAIN_TIMEOUT_MS: then requests in flight get this long to finish before connections are cut. */
  drainTimeoutMs: number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, max = 86_400_000): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name}: expected a whole number from 0 to ${max}, got "${raw}"`);
  return n;
}

export function loadOpsConfig(env: NodeJS.ProcessEnv = process.env): OpsConfig {
  const metricsOff = env.YARDSTICK_METRICS_PORT === "off";
  const metricsPort = metricsOff ? 0 : integer(env, "YARDSTICK_METRICS_PORT", 9464, 65535);
  if (env.YARDSTICK_METRICS_TOKEN !== undefined && env.YARDSTICK_METRICS_TOKEN.length > 0 && env.YARDSTICK_METRICS_TOKEN.length < 16) {
    throw new Error("YARDSTICK_METRICS_TOKEN: use at least 16 characters (e.g. openssl rand -hex 32)");
  }
  return {
    slowRequestMs: integer(env, "YARDSTICK_SLOW_REQUEST_MS", DEFAULT_SLOW_REQUEST_MS),
    trustedProxies: integer(env, "YARDSTICK_TRUST_PROXY", 0, 10),
    metricsListener: metricsPort > 0 ? { port: metricsPort, host: env.YARDSTICK_METRICS_HOST || "127.0.0.1" } : null,
    metricsToken: env.YARDSTICK_METRICS_TOKEN || undefined,
    shutdownDelayMs: integer(env, "YARDSTICK_SHUTDOWN_DELAY_MS", 1_000, 600_000),
    drainTimeoutMs: integer(env, "YARDSTICK_DRAIN_TIMEOUT_MS", 10_000, 600_000),
  };
}
