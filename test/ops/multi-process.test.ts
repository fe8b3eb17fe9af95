import { spawn, type ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/auth/api-keys.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { postgresDriver } from "../../src/db/driver.js";
import { loadMigrations, migrate } from "../../src/db/migrate.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";

// Three real server processes (`tsx src/main.ts`) started at the same moment on
// one empty PostgreSQL database, as a deployment behind a load balancer would:
// migrations race and apply once; what one process writes (a plugin, a new
// version, a framework, an embed token, a revocation) the others serve at once;
// the same CSV imported through two processes at once is imported once.
const SECRET = "multi-process-secret-0123456789abcdef0123456789";
const MARCH = { grain: "MONTH", date: "2026-03-01" };

interface Proc {
  name: string;
  port: number;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

type Gql<T = Record<string, unknown>> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };

describe.runIf(TEST_DB === "postgres")("several API processes behind one PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let db: Database;
  const procs: Proc[] = [];
  let key: string;
  let teamGid: string;
  let startMs = 0;

  function start(name: string, port: number): Proc {
    // node with tsx's loader, not the tsx wrapper: SIGTERM reaches the server itself (the wrapper relays it and,
    // when the child does not confirm within 30 ms on a loaded machine, kills it with SIGKILL: exit 143).
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: scratch.url,
        YARDSTICK_TOKEN_SECRET: SECRET,
        YARDSTICK_SEED_DEMO: "0",
        LOG_LEVEL: "info",
      },
    });
    const proc: Proc = { name, port, child, log: "", exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
    child.stdout!.on("data", (d: Buffer) => (proc.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (proc.log += d.toString()));
    return proc;
  }

  async function gql<T = Record<string, unknown>>(p: Proc, query: string, variables: Record<string, unknown> = {}, token = key): Promise<Gql<T>> {
    const res = await fetch(`http://127.0.0.1:${p.port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Gql<T>;
  }
  const data = <T>(r: Gql<T>): T => {
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return r.data!;
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres();
    const base = 41_000 + Math.floor(Math.random() * 3_000) * 3;
    const t0 = Date.now();
    procs.push(start("A", base), start("B", base + 1), start("C", base + 2));
    const deadline = Date.now() + 90_000;
    for (const p of procs) {
      while (!/listening/.test(p.log)) {
        if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`process ${p.name} did not start:\n${p.log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    startMs = Date.now() - t0;

    // A company, its admin key, two teams with March orders, written straight to the database.
    db = await openDatabase({ url: scratch.url, poolSize: 2, migrate: false });
    const company = await db.prisma.company.create({ data: { slug: "multi", name: "Multi" } });
    key = (await issueApiKey(db.prisma, { companyId: company.id, name: "admin", role: "admin" })).key;
    for (const [name, amounts] of [["North", [100, 900, 2000]], ["South", [50]]] as const) {
      const team = await db.prisma.team.create({ data: { companyId: company.id, name } });
      const customer = await db.prisma.customer.create({ data: { companyId: company.id, name: `${name} customer`, ownerTeamId: team.id, acquiredAt: new Date("2026-01-01T00:00:00Z") } });
      for (const amount of amounts) {
        await db.prisma.order.create({
          data: { companyId: company.id, customerId: customer.id, teamId: team.id, amount: String(amount), product: "p", category: "c", channel: "web", at: new Date("2026-03-10T00:00:00Z") },
        });
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.child.kill("SIGTERM");
    const codes = await Promise.all(procs.map((p) => p.exited));
    await db?.close();
    await scratch?.drop();
    expect(codes).toEqual(procs.map(() => 0));
  });

  it("apply the migrations once when started together", async () => {
    console.log(`3 processes listening ${startMs} ms after a simultaneous start`);
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ name: string }>("SELECT name FROM _yardstick_migrations ORDER BY name");
      expect(rows.map((r) => r.name)).toEqual((await loadMigrations()).map((m) => m.name));
    } finally {
      await admin.end();
    }
    for (const p of procs) {
      expect(p.child.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${p.port}/ready`)).status).toBe(200);
    }
  });

  it("serve through B and C what A has just written: a plugin, its new version, a framework", async () => {
    const [A, B, C] = procs as [Proc, Proc, Proc];
    // B and C have the company's catalogue cached before the change.
    for (const p of [B, C]) expect(data(await gql(p, `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`))).toEqual({ company: { metric: { value: 3050 } } });

    const doc = { key: "big_orders", name: "Big orders", unit: "count", subjects: ["company", "team"], formula: "big",
      measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 500 } } } } };
    expect(data(await gql(A, `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key version } }`, { d: doc }))).toEqual({ registerMetricPlugin: { key: "big_orders", version: 1 } });
    // At once, through B: the generic field and the typed field of B's rebuilt schema.
    const q = `query($p: PeriodInput!) { company { metric(key: "big_orders", period: $p) { value } kpis { bigOrders(period: $p) { value } } } }`;
    expect(data(await gql(B, q, { p: MARCH }))).toEqual({ company: { metric: { value: 2 }, kpis: { bigOrders: { value: 2 } } } });

    const v2 = { ...doc, measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 1000 } } } } };
    expect(data(await gql(A, `mutation($d: JSON!) { updateMetricPlugin(key: "big_orders", document: $d) { version } }`, { d: v2 }))).toEqual({ updateMetricPlugin: { version: 2 } });
    for (const p of [B, C]) expect(data(await gql(p, q, { p: MARCH }))).toEqual({ company: { metric: { value: 1 }, kpis: { bigOrders: { value: 1 } } } });

    const framework = { key: "team_review", name: "Team review", level: "team", items: [{ kpi: "big_orders", weight: 1, score: { method: "target", target: 2 } }] };
    data(await gql(A, `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: framework }));
    const teams = data(await gql<{ company: { teams: { id: string; name: string; scorecard: { total: number } } [] } }>(
      C, `query($p: PeriodInput!) { company { teams { id name scorecard(framework: "team_review", period: $p) { total } } } }`, { p: MARCH })).company.teams;
    expect(teams.find((t) => t.name === "North")?.scorecard.total).toBe(50);
    teamGid = teams.find((t) => t.name === "North")!.id;
  });

  it("accept on B an embed token issued by A, and refuse it on C as soon as A revokes it", async () => {
    const [A, B, C] = procs as [Proc, Proc, Proc];
    const issued = data(await gql<{ createEmbedToken: { token: string; embedToken: { id: string } } }>(
      A, `mutation($s: [ID!]!) { createEmbedToken(framework: "team_review", subjects: $s) { token embedToken { id } } }`, { s: [teamGid] })).createEmbedToken;
    const cards = `query($p: PeriodInput!) { embeddedScorecards(period: $p) { subjectName total } }`;
    for (const p of [B, C]) expect(data(await gql(p, cards, { p: MARCH }, issued.token))).toEqual({ embeddedScorecards: [{ subjectName: "North", total: 50 }] });

    data(await gql(A, `mutation($id: ID!) { revokeEmbedToken(id: $id) { revokedAt } }`, { id: issued.embedToken.id }));
    for (const p of [B, C]) expect((await gql(p, cards, { p: MARCH }, issued.token)).errors?.[0]?.extensions?.code).toBe("TOKEN_REVOKED");
  });

  it("import the same CSV sent to A and B at the same moment once", async () => {
    const [A, B] = procs as [Proc, Proc, Proc];
    const lines = ["external_id,name,email"];
    for (let i = 0; i < 300; i++) lines.push(`MP-${i},Customer ${i},c${i}@multi.test`);
    const csv = lines.join("\n");
    const mutation = `mutation($csv: String!) { importCsv(kind: CUSTOMERS, csv: $csv, fileName: "same.csv") { id status rowsImported rowsUnchanged } }`;
    const answers = await Promise.all([gql<{ importCsv: { id: string; status: string; rowsImported: number } }>(A, mutation, { csv }), gql<{ importCsv: { id: string; status: string; rowsImported: number } }>(B, mutation, { csv })]);
    console.log(`same CSV through A and B: ${answers.map((a) => (a.errors ? a.errors[0]!.extensions?.code : `${a.data!.importCsv.status} ${a.data!.importCsv.rowsImported} imported`)).join(" | ")}`);
    for (const a of answers) {
      if (a.errors) expect(a.errors[0]!.extensions?.code).toBe("IMPORT_IN_PROGRESS");
      else expect(a.data!.importCsv.status).toBe("DONE");
    }
    expect(answers.some((a) => !a.errors)).toBe(true);
    const ids = new Set(answers.filter((a) => !a.errors).map((a) => a.data!.importCsv.id));
    expect(ids.size).toBe(1);

    const rows = await db.prisma.customer.groupBy({ by: ["externalId"], where: { externalId: { startsWith: "MP-" } }, _count: true });
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r._count === 1)).toBe(true);
    expect(await db.prisma.importJob.count()).toBe(1);
    // Again through C: already imported, nothing changes.
    const again = data(await gql<{ importCsv: { id: string; status: string } }>(procs[2]!, mutation, { csv })).importCsv;
    expect(again).toMatchObject({ id: [...ids][0], status: "DONE" });
    expect(await db.prisma.customer.count({ where: { externalId: { startsWith: "MP-" } } })).toBe(300);
  });
});

// The processes above start a few hundred ms apart (tsx compiles first); here three
// migrators start on the same tick, several times, on empty databases.
describe.runIf(TEST_DB === "postgres")("migrations started at the same moment", () => {
  it("apply every migration exactly once and none of the migrators fails", async () => {
    const names = (await loadMigrations()).map((m) => m.name);
    for (let round = 0; round < 3; round++) {
      const scratch = await createScratchPostgres();
      const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: scratch.url, max: 1 }));
      try {
        // Connected first, so the three migrations really start together.
        await Promise.all(pools.map((p) => p.query("SELECT 1")));
        const results = await Promise.allSettled(pools.map((p) => migrate(postgresDriver(p))));
        expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
        const applied = results.flatMap((r) => (r.status === "fulfilled" ? r.value.applied : []));
        expect(applied.sort()).toEqual(names);
        const { rows } = await pools[0]!.query<{ name: string }>("SELECT name FROM _yardstick_migrations ORDER BY name");
        expect(rows.map((r) => r.name)).toEqual(names);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
        await scratch.drop();
      }
    }
  }, 60_000);
});
