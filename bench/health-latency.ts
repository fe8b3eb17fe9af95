// npm run bench:health — how long /health waits while a heavy request runs on the
// embedded database (PGlite executes SQL on the main thread). Two copies of one
// seeded demo company, one opened with the statements taking turns with the event
// loop (src/db/pglite-turns.ts, the default) and one without; rounds alternate
// between them (a shared machine's changing load weighs on both alike). Each round:
// the 12-KPI team dashboard over HTTP, and /health probed every 10 ms meanwhile.
//
//   npm run bench:health [-- --rounds 6]
import { cp, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { issueApiKey } from "../src/auth/api-keys.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { seedDemoCompany } from "../src/seed/generate.js";
import { createApp } from "../src/server.js";
import { DASHBOARD_QUERY, UNTIL } from "./dashboard.js";
import { fmt, median, writeResultsSection } from "./measure.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "6" } } });
const rounds = Number(values.rounds);

const dir = await mkdtemp(path.join(tmpdir(), "ys-health-"));
const seededDir = path.join(dir, "a");
{
  const db = await openDatabase({ dataDir: seededDir });
  await seedDemoCompany(db, { seed: 7, size: "demo", slug: "demo" });
  await db.close();
}
await cp(seededDir, path.join(dir, "b"), { recursive: true });

interface Setup {
  name: string;
  db: Database;
  server: Server;
  url: string;
  key: string;
  health: number[];
  heavy: number[];
}

async function setup(name: string, sub: string, turns: boolean): Promise<Setup> {
  const db = await openDatabase({ dataDir: path.join(dir, sub), pgliteTurns: turns });
  const [company] = await db.sql.query<{ id: string }>("SELECT id::text FROM companies LIMIT 1");
  const { key } = await issueApiKey(db.prisma, { companyId: company!.id, name: "bench", role: "viewer" });
  // No result cache: every round computes its aggregates.
  const app = createApp({ db, graphiql: false, resultCache: false, limits: { requestsPerMinutePerKey: 1_000_000 } });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { name, db, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key, health: [], heavy: [] };
}

async function round(s: Setup): Promise<void> {
  const t0 = performance.now();
  let done = false;
  const heavy = fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${s.key}` },
    body: JSON.stringify({ query: DASHBOARD_QUERY, variables: { until: UNTIL } }),
  }).then(async (r) => {
    const body = (await r.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    s.heavy.push(performance.now() - t0);
    done = true;
  });
  let worst = 0;
  while (!done) {
    const h0 = performance.now();
    await fetch(`${s.url}/health`);
    worst = Math.max(worst, performance.now() - h0);
    await new Promise((r) => setTimeout(r, 10));
  }
  await heavy;
  s.health.push(worst);
}

const setups = [await setup("statements take turns (default)", "a", true), await setup("back to back (before)", "b", false)];
for (const s of setups) await round(s); // warm-up: plans, catalogues
for (const s of setups) (s.health.length = 0), (s.heavy.length = 0);
for (let i = 0; i < rounds; i++) for (const s of i % 2 ? [...setups].reverse() : setups) await round(s);

const rows = setups.map((s) => `| ${s.name} | ${fmt(median(s.health))} | ${fmt(Math.max(...s.health))} | ${fmt(median(s.heavy))} |`);
const [on, off] = setups;
const body = [
  `## /health during a heavy request (embedded database, ${rounds} rounds)`,
  "",
  `The 12-KPI team dashboard (bench/dashboard.ts) on the demo company, /health probed every 10 ms meanwhile;`,
  `"worst" is the longest a probe waited in a round. Measured ${new Date().toISOString().slice(0, 10)} on the shared 2-core machine (loaded:`,
  `absolute times are inflated; the ratio is what the run shows).`,
  "",
  "| PGlite statements | worst /health, median of rounds (ms) | worst /health, max (ms) | dashboard (ms) |",
  "|---|---|---|---|",
  ...rows,
  "",
  `Worst /health wait: ${(median(off!.health) / median(on!.health)).toFixed(1)}× shorter with turns; dashboard time ${(median(on!.heavy) / median(off!.heavy)).toFixed(2)}× of before.`,
].join("\n");
console.log(body);
await writeResultsSection("health-latency", body);
for (const s of setups) {
  s.server.close();
  await s.db.close();
}
await rm(dir, { recursive: true, force: true });
