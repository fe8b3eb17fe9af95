import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Imports are scoped to the caller's company: a file cannot attach facts to
// another company's customers (by external id, email or phone), cannot touch
// them by importing customers with the same identities, and one company cannot
// see another's import jobs.
const IMPORT = /* GraphQL */ `
  mutation ($kind: ImportKind!, $csv: String!) {
    importCsv(kind: $kind, csv: $csv) { id status rowsImported rowsRejected rejects { line reason } }
  }
`;

interface Job {
  id: string;
  status: string;
  rowsImported: number;
  rowsRejected: number;
  rejects: { line: number; reason: string }[];
}

describe(`import tenant isolation (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;
  const customersCsv = ["external_id,name,email,phone", "C-1,Shared Id,shared@example.cn,13800000001"].join("\n");

  const importAs = async (co: TestCompany, kind: string, csv: string) => dataOf(await t.gql<{ importCsv: Job }>(IMPORT, { kind, csv }, co.keys.manager)).importCsv;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createCompany(t.db, "tenant-a", { timeZone: "Asia/Shanghai" });
    b = await createCompany(t.db, "tenant-b", { timeZone: "Asia/Shanghai" });
  });
  afterAll(() => t.close());

  it("cannot reference another company's customers", async () => {
    const bJob = await importAs(b, "CUSTOMERS", customersCsv);
    expect(bJob).toMatchObject({ status: "DONE", rowsImported: 1 });

    const orders = [
      "order_id,customer_external_id,customer_email,customer_phone,amount,date",
      "X-1,C-1,,,10,2026-03-05",
      "X-2,,shared@example.cn,,10,2026-03-05",
      "X-3,,,+86 138 0000 0001,10,2026-03-05",
    ].join("\n");
    const aJob = await importAs(a, "ORDERS", orders);
    expect(aJob).toMatchObject({ status: "DONE", rowsImported: 0, rowsRejected: 3 });
    expect(aJob.rejects).toEqual([
      { line: 2, reason: 'unknown customer: customer_external_id "C-1"' },
      { line: 3, reason: 'unknown customer: customer_email "shared@example.cn"' },
      { line: 4, reason: 'unknown customer: customer_phone "+8613800000001"' },
    ]);
    expect(await t.db.prisma.order.count()).toBe(0);

    // The same text in company B attaches to B's customer.
    const bOrders = await importAs(b, "ORDERS", orders);
    expect(bOrders).toMatchObject({ rowsImported: 3, rowsRejected: 0 });
  });

  it("imports the same identities as separate customers, leaving the other company's alone", async () => {
    // The very file B imported: for A it is a new file (jobs are per company), and a new customer.
    const aJob = await importAs(a, "CUSTOMERS", customersCsv.replace("Shared Id", "A's own"));
    expect(aJob).toMatchObject({ status: "DONE", rowsImported: 1 });
    const same = await importAs(a, "CUSTOMERS", customersCsv);
    expect(same.id).not.toBe(aJob.id);
    const rows = await t.db.prisma.customer.findMany({ where: { externalId: "C-1" }, orderBy: { companyId: "asc" } });
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.companyId === b.id)?.name).toBe("Shared Id");
    expect(await t.db.prisma.order.count({ where: { companyId: a.id } })).toBe(0);
    expect(await t.db.prisma.order.count({ where: { companyId: b.id } })).toBe(3);
  });

  it("shows each company only its own jobs", async () => {
    const aJobs = dataOf(await t.gql<{ company: { importJobs: { id: string }[] } }>(`{ company { importJobs { id } } }`, {}, a.keys.manager)).company.importJobs;
    const bJobs = dataOf(await t.gql<{ company: { importJobs: { id: string }[] } }>(`{ company { importJobs { id } } }`, {}, b.keys.manager)).company.importJobs;
    expect(aJobs).toHaveLength(3);
    expect(bJobs).toHaveLength(2);
    expect(aJobs.some((j) => bJobs.some((k) => k.id === j.id))).toBe(false);
    const peek = await t.gql<{ importJob: { id: string } | null }>(`query ($id: ID!) { importJob(id: $id) { id } }`, { id: aJobs[0]!.id }, b.keys.admin);
    expect(dataOf(peek).importJob).toBeNull();
  });
});
