import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";
import { seedCompany } from "./support.js";

// The operator's view of a real server process (`node --import tsx src/main.ts`):
// the access and slow-request lines it writes, the metrics listener on loopback,
// and SIGTERM: /ready turns 503 first, the request in flight is answered, then
// the process closes and exits 0; a request that never finishes is cut at the
// drain timeout.
interface Proc {
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  port: number;
  metricsPort: number;
}

const REVENUE = `query Revenue { company { metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`;

describe(`the server process, as an operator sees it (${TEST_DB})`, () => {
  let dir: string;
  let baseEnv: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  let key: string;
  let companyId: string;
  const procs: Proc[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-ops-"));
    baseEnv = { YARDSTICK_DATA_DIR: path.join(dir, "pglite"), DATABASE_URL: "", YARDSTICK_SEED_DEMO: "0", LOG_LEVEL: "info" };
    let url: string | undefined;
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres();
      drop = scratch.drop;
      url = scratch.url;
      baseEnv.DATABASE_URL = url;
    }
    // A company with a key, written before the server starts (it reopens the same data).
    const db = await openDatabase(url ? { url } : { dataDir: baseEnv.YARDSTICK_DATA_DIR });
    ({ key, companyId } = await seedCompany(db, "ops-proc"));
    await db.close();
  }, 300_000);
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  /** A port nothing listens on now (asked of the OS: random picks collided with other test files' servers). */
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });

  async function start(env: Record<string, string>): Promise<Proc> {
    const port = await freePort();
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, ...baseEnv, PORT: String(port), YARDSTICK_METRICS_PORT: String(metricsPort), ...env },
    });
    const proc: Proc = { child, log: "", port, metricsPort, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
    child.stdout!.on("data", (d: Buffer) => (proc.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (proc.log += d.toString()));
    procs.push(proc);
    // Loading the sources through tsx alone takes ~40 s at a load average of 30 on this machine.
    const deadline = Date.now() + 240_000;
    while (!/Yardstick listening/.test(proc.log) || !/metrics listening|metrics listener not started/.test(proc.log)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${proc.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return proc;
  }

  const lines = (p: Proc) =>
    p.log
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  /** A POST whose headers are sent but whose body is held back until `finish` is called: a request in flight. */
  function heldRequest(port: number, body: string): { socket: Socket; finish(): void; answer: Promise<string> } {
    const socket = connect(port, "127.0.0.1");
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\n` +
        `X-Request-Id: held-1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString()));
    const answer = new Promise<string>((resolve) => {
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    return { socket, finish: () => socket.write(body.slice(10)), answer };
  }

  it("writes one access line per request and a slow-request line with its SQL, never a key or a variable", async () => {
    const p = await start({ YARDSTICK_SLOW_REQUEST_MS: "1", YARDSTICK_SHUTDOWN_DELAY_MS: "0" });
    try {
      const res = await fetch(`http://127.0.0.1:${p.port}/graphql?token=ys_in_the_query_string`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": "proc-req-1" },
        body: JSON.stringify({ query: REVENUE, operationName: "Revenue" }),
      });
      expect(await res.json()).toEqual({ data: { company: { metric: { value: 250 } } } });
      expect(res.headers.get("x-request-id")).toBe("proc-req-1");
      // A variable's value goes to the resolver (and back in the error), never to the log.
      const withVariable = await fetch(`http://127.0.0.1:${p.port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: `query Named($k: String!) { company { metric(key: $k, period: { grain: MONTH, date: "2026-03-01" }) { value } } }`,
          variables: { k: "SECRET-VARIABLE-VALUE" },
        }),
      });
      expect(JSON.stringify(await withVariable.json())).toContain("SECRET-VARIABLE-VALUE");
      const bad = await fetch(`http://127.0.0.1:${p.port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer ys_wrongwrongwrong_0000" },
        body: JSON.stringify({ query: "{ company { slug } }" }),
      });
      expect(bad.status).toBe(401);
      const badId = bad.headers.get("x-request-id")!;

      const deadline = Date.now() + 10_000;
      while (lines(p).filter((l) => l.msg === "request" || l.msg === "slow request").length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const access = lines(p).find((l) => l.msg === "request" && l.requestId === "proc-req-1")!;
      expect(access).toMatchObject({
        level: 30,
        method: "POST",
        path: "/graphql",
        status: 200,
        companyId,
        operation: "Revenue",
        operationType: "query",
        cacheHits: 0,
        cacheMisses: 1,
        client: expect.stringMatching(/127\.0\.0\.1$/),
      });
      // The key, the company, then the metric statement at least (Prisma's and the engine's SQL alike).
      expect(access.statements).toBeGreaterThanOrEqual(3);
      expect(access.ms).toBeGreaterThan(0);

      const slow = lines(p).find((l) => l.msg === "slow request" && l.requestId === "proc-req-1")!;
      expect(slow).toMatchObject({ level: 40, thresholdMs: 1, statements: access.statements });
      const statementLog = slow.statementLog as { ms: number; sql: string }[];
      expect(statementLog.length).toBe(access.statements);
      expect(statementLog.some((s) => /FROM "public"\."api_keys"/.test(s.sql) && /\$1/.test(s.sql))).toBe(true);
      expect(statementLog.some((s) => /FROM orders/.test(s.sql))).toBe(true);

      const refused = lines(p).find((l) => l.msg === "request" && l.requestId === badId)!;
      expect(refused).toMatchObject({ status: 401, errors: ["UNAUTHENTICATED"] });
      expect(refused.companyId).toBeUndefined();

      // No secret anywhere in the log: not the key (nor its secret part), not the query string, not a variable.
      expect(p.log).not.toContain(key);
      expect(p.log).not.toContain(key.split("_").pop()!);
      expect(p.log).not.toContain("ys_in_the_query_string");
      expect(p.log).not.toContain("ys_wrongwrongwrong_0000");
      expect(p.log).not.toContain("SECRET-VARIABLE-VALUE");
      // The company id is a statement parameter: in the access line, never inside a statement's text.
      expect(statementLog.every((s) => !s.sql.includes(companyId))).toBe(true);

      // /metrics: on the loopback listener, not on the API port.
      const metrics = await fetch(`http://127.0.0.1:${p.metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/yardstick_request_duration_seconds_count\{route="graphql",operation="Revenue",status="200"\} 1/);
      expect(text).toMatch(/yardstick_graphql_errors_total\{code="UNAUTHENTICATED"\} 1/);
      expect((await fetch(`http://127.0.0.1:${p.port}/metrics`)).status).toBe(404);
      expect(/127\.0\.0\.1:\d+\/metrics/.test(p.log)).toBe(true);
      // Not reachable from another host: the listener is bound to loopback, so this host's outward address refuses.
      const outward = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
      if (outward) {
        const refusedOutward = await new Promise<boolean>((resolve) => {
          const s = connect(p.metricsPort, outward);
          s.on("connect", () => (s.destroy(), resolve(false)));
          s.on("error", () => resolve(true));
        });
        expect(refusedOutward).toBe(true);
      }
    } finally {
      p.child.kill("SIGTERM");
    }
    expect(await p.exited).toBe(0);
  }, 400_000);

  it("on SIGTERM: /ready answers 503 first, the request in flight is answered, then it closes and exits 0", async () => {
    const p = await start({ YARDSTICK_SHUTDOWN_DELAY_MS: "1500", YARDSTICK_DRAIN_TIMEOUT_MS: "8000" });
    expect((await fetch(`http://127.0.0.1:${p.port}/ready`)).status).toBe(200);
    const held = heldRequest(p.port, JSON.stringify({ query: REVENUE }));
    // The server has the request (headers read) before the signal.
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    p.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));

    const ready = await fetch(`http://127.0.0.1:${p.port}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "draining" });
    // Everything else is still served during the delay.
    expect((await fetch(`http://127.0.0.1:${p.port}/health`)).status).toBe(200);

    // After the delay the listener is closed: new connections are refused, the held request still runs.
    while (Date.now() - t0 < 1_900) await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`http://127.0.0.1:${p.port}/health`)).rejects.toThrow();
    expect(p.child.exitCode).toBeNull();

    held.finish();
    const answer = await held.answer;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('{"data":{"company":{"metric":{"value":250}}}}');
    expect(await p.exited).toBe(0);
    const shut = lines(p).find((l) => l.msg === "shut down")!;
    expect(shut).toMatchObject({ cut: 0 });
    // Order in the log: draining, the held request's access line, then closed.
    const order = lines(p).map((l) => (l.msg === "request" && l.requestId === "held-1" ? "held" : l.msg));
    expect(order.indexOf("shutting down: /ready answers 503")).toBeLessThan(order.indexOf("held"));
    expect(order.indexOf("held")).toBeLessThan(order.indexOf("shut down"));
  }, 400_000);

  it("cuts a request that does not finish within the drain timeout, then exits 1", async () => {
    const p = await start({ YARDSTICK_SHUTDOWN_DELAY_MS: "0", YARDSTICK_DRAIN_TIMEOUT_MS: "500" });
    const held = heldRequest(p.port, JSON.stringify({ query: REVENUE }));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(8_000);
    await held.answer;
    expect(lines(p).find((l) => l.msg === "drain timeout: cutting the requests still in flight")).toMatchObject({ cut: 1 });
  }, 400_000);
});
