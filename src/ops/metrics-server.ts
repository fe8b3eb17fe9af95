// The metrics listener: GET /metrics on its own port, by default
// 127.0.0.1:9464 (the port OpenTelemetry's Prometheus exporter uses), so a
// fresh install shows its figures to this host only. Anything else is 404.
// With YARDSTICK_METRICS_TOKEN set, the token is asked here too.
import { createServer, type Server } from "node:http";
import { logger } from "../logger.js";
import { renderMetrics } from "./metrics.js";
import { tokenMatches } from "./metrics-route.js";

export interface MetricsListenOptions {
  port: number;
  host: string;
  token?: string;
}

export function startMetricsServer(options: MetricsListenOptions): Promise<Server | null> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' }).end("metrics token needed\n");
      return;
    }
    renderMetrics().then(
      ({ body, contentType }) => res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body),
      (err: unknown) => {
        logger.error({ err }, "metrics: could not render");
        res.writeHead(500).end();
      },
    );
  });
  // Scrapes come every 15 s or so: no reason to hold a connection open.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      // A second instance on the same host, say: the API still starts, without its metrics listener.
      logger.warn({ err: { code: err.code, message: err.message }, port: options.port, host: options.host }, "metrics listener not started");
      resolve(null);
    });
    server.listen(options.port, options.host, () => {
      const a = server.address();
      logger.info({ metrics: typeof a === "object" && a ? `http://${options.host}:${a.port}/metrics` : undefined }, "metrics listening");
      resolve(server);
    });
  });
}
