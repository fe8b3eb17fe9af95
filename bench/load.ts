// npm run bench:load — concurrent clients over loopback against a real HTTP
// server on PostgreSQL: throughput, p50/p95/p99 of the dashboard request, errors,
// and memory sampled through the run (a soak with --seconds 300).
//
//   npm run bench:load [-- --clients 8 --seconds 30 --teams 20 --customers 5000 --db postgres]
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { issueApiKey } from "../src/auth/api-keys.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { seedDemoCompany } from "../src/seed/generate.js";
import { createApp } from "../src/server.js";
import { createScratchPostgres } from "../test/helpers/database.js";
import { DASHBOARD_QUERY, UNTIL } from "./dashboard.js";
import { fmt, percentile, writeResultsSection } from "./measure.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "30" },
    teams: { type: "string", default: "20" },
    customers: { type: "string", default: "5000" },
    db: { type: "string", default: "postgres" },
  },
});

let db: Database;
let drop: (() => Promise<void>) | undefined;
if (values.db === "postgres") {
  const scratch = await createScratchPostgres();
  drop = scratch.drop;
  db = await openDatabase({ url: scratch.url, poolSize: 10 });
} else {
  db = await openDatabase();
}
process.stderr.write("seeding… ");
const seeded = await seedDemoCompany(db, { seed: 11, size: { teams: Number(values.teams), membersPerTeam: 4, customers: Number(values.customers), months: 24 }, slug: "load" });
const { key } = await issueApiKey(db.prisma, { companyId: seeded.companyId, name: "load", role: "viewer" });
const app = createApp({ db, graphiql: false, limits: { requestsPerMinutePerKey: 1_000_000 } });
const server = createServer(app);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
process.stderr.write(`${seeded.factRows} fact rows; load… `);

const body = JSON.stringify({ query: DASHBOARD_QUERY, variables: { until: UNTIL } });
const latencies: number[] = [];
let errors = 0;
const rss: number[] = [];
const endAt = Date.now() + Number(values.seconds) * 1000;
const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);

async function client(): Promise<void> {
  while (Date.now() < endAt) {
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body });
      const json = (await res.json()) as { errors?: unknown };
      if (!res.ok || json.errors) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: Number(values.clients) }, client));
const elapsed = (performance.now() - started) / 1000;
clearInterval(sampler);

const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
const rows = [
  ["database / data", `${values.db}, ${values.teams} teams, ${seeded.factRows} fact rows`],
  ["request", "dashboard: 10 KPIs × every team × 12-month trend"],
  ["clients × duration", `${values.clients} × ${values.seconds} s`],
  ["requests / errors", `${latencies.length} / ${errors}`],
  ["throughput", `${(latencies.length / elapsed).toFixed(1)} req/s`],
  ["latency p50 / p95 / p99", `${fmt(percentile(latencies, 0.5))} / ${fmt(percentile(latencies, 0.95))} / ${fmt(percentile(latencies, 0.99))} ms`],
  ["RSS first / middle / last second", `${mb(rss[0] ?? 0)} / ${mb(rss[Math.floor(rss.length / 2)] ?? 0)} / ${mb(rss[rss.length - 1] ?? 0)}`],
];
const table = ["| measure | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
console.log(table);
await writeResultsSection(
  `load ${values.db} ${values.clients}x${values.seconds}s`,
  `## Load (${values.db}, ${values.clients} clients × ${values.seconds} s)

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:load${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`: a real HTTP server on loopback, clients in the same process.

${table}`,
);
server.close();
await db.close();
await drop?.();
process.exit(errors ? 1 : 0);
