import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type GraphQLResponse, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// The import API around the cleaning: who may import, a file sent as a
// multipart upload (a GB18030 CSV with semicolons, as Excel on Chinese Windows
// saves it), an import answered at once and followed by polling, a file that
// cannot be read at all, and the job listings.
const JOB_FIELDS = "id kind status fileName rowsProcessed rowsImported rowsRejected progress error stats rejects { line reason }";

describe(`import API (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  const upload = async (query: string, variables: Record<string, unknown>, file: Blob, fileName: string, key: string) => {
    const form = new FormData();
    form.append("operations", JSON.stringify({ query, variables: { ...variables, file: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    form.append("0", file, fileName);
    const res = await t.app.fetch("http://yardstick.test/graphql", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
    return (await res.json()) as GraphQLResponse<{ importCsvFile: { id: string; status: string; fileName: string; rowsImported: number; stats: { encoding: string; delimiter: string } } }>;
  };

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "api", { timeZone: "Asia/Shanghai", currency: "CNY" });
  });
  afterAll(() => t.close());

  it("lets managers and admins import, not viewers", async () => {
    const q = `mutation { importCsv(kind: CUSTOMERS, csv: "name\\nSomeone") { status } }`;
    const viewer = await t.gql(q, {}, co.keys.viewer);
    expect(viewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await t.gql(q, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const list = await t.gql(`{ company { importJobs { id } } }`, {}, co.keys.viewer);
    expect(list.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(dataOf(await t.gql<{ importCsv: { status: string } }>(q, {}, co.keys.admin)).importCsv.status).toBe("DONE");
    const empty = await t.gql(`mutation { importCsv(kind: CUSTOMERS, csv: "  ") { status } }`, {}, co.keys.manager);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "csv" });
  });

  it("imports an uploaded GB18030 file with semicolons", async () => {
    const bytes = Buffer.from(
      "bfcdbba7b1e0bac53bc3fbb3c63bd3cacfe40a472d313bd5c5ceb03b7a68616e672e776569406578616d706c652e636e0a472d323bc0eec4c83b6c692e6e61406578616d706c652e636e0a",
      "hex",
    );
    const res = await upload(
      `mutation ($file: File!) { importCsvFile(kind: CUSTOMERS, file: $file) { id status fileName rowsImported stats } }`,
      {},
      new Blob([bytes], { type: "text/csv" }),
      "客户.csv",
      co.keys.manager,
    );
    const job = dataOf(res).importCsvFile;
    expect(job).toMatchObject({ status: "DONE", fileName: "客户.csv", rowsImported: 2 });
    expect(job.stats).toMatchObject({ encoding: "gb18030", delimiter: ";" });
    const names = await t.db.prisma.customer.findMany({ where: { companyId: co.id, externalId: { in: ["G-1", "G-2"] } }, orderBy: { externalId: "asc" } });
    expect(names.map((c) => [c.name, c.email])).toEqual([["张伟", "zhang.wei@example.cn"], ["李娜", "li.na@example.cn"]]);
  });

  it("answers at once with wait: false; importJob(id) shows the progress", async () => {
    const csv = ["order_id,customer,amount,date", ...Array.from({ length: 3000 }, (_, i) => `W-${i},G-${1 + (i % 2)},${i}.25,2026-03-05`)].join("\n");
    const started = dataOf(
      await t.gql<{ importCsv: { id: string; status: string } }>(`mutation ($csv: String!) { importCsv(kind: ORDERS, csv: $csv, wait: false) { id status } }`, { csv }, co.keys.manager),
    ).importCsv;
    expect(["RUNNING", "DONE"]).toContain(started.status);
    type Progress = { status: string; rowsImported: number; progress: number; lastLine: number; totalLines: number };
    let job: Progress | null = null;
    for (let i = 0; i < 200; i++) {
      job = dataOf(
        await t.gql<{ importJob: Progress | null }>(`query ($id: ID!) { importJob(id: $id) { status rowsImported progress lastLine totalLines } }`, { id: started.id }, co.keys.manager),
      ).importJob;
      if (job?.status === "DONE") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(job).toEqual({ status: "DONE", rowsImported: 3000, progress: 1, lastLine: 3001, totalLines: 3001 });
  });

  it("fails a file it cannot read as a whole, with the reason on the job", async () => {
    const res = dataOf(
      await t.gql<{ importCsv: { status: string; error: string; rowsProcessed: number } }>(
        `mutation { importCsv(kind: ORDERS, csv: "order_id,amount\\n1,2", fileName: "x.csv") { ${JOB_FIELDS} } }`,
        {},
        co.keys.manager,
      ),
    ).importCsv;
    expect(res).toMatchObject({ status: "FAILED", rowsProcessed: 0 });
    expect(res.error).toBe('the header lacks one of "customer_external_id", "customer_email", "customer_phone" and "at" (header: order_id, amount)');
  });

  it("lists the company's jobs, newest first, and records them in the audit log", async () => {
    const jobs = dataOf(
      await t.gql<{ company: { importJobs: { kind: string; status: string }[] } }>(`{ company { importJobs(first: 10) { kind status } } }`, {}, co.keys.manager),
    ).company.importJobs;
    expect(jobs.map((j) => `${j.kind}:${j.status}`)).toEqual(["ORDERS:FAILED", "ORDERS:DONE", "CUSTOMERS:DONE", "CUSTOMERS:DONE"]);
    const filtered = dataOf(
      await t.gql<{ company: { importJobs: unknown[] } }>(`{ company { importJobs(kind: CUSTOMERS) { id } } }`, {}, co.keys.manager),
    ).company.importJobs;
    expect(filtered).toHaveLength(2);
    expect(await t.db.prisma.auditEntry.count({ where: { companyId: co.id, action: "import.csv" } })).toBe(4);
    const missing = dataOf(await t.gql<{ importJob: null }>(`{ importJob(id: "not-a-uuid") { id } }`, {}, co.keys.manager));
    expect(missing.importJob).toBeNull();
  });
});
