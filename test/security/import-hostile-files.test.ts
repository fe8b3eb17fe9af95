import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type GraphQLResponse, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { rowCounts } from "../auth/support.js";

// Files an attacker (or a confused user) uploads instead of a CSV: a NUL byte in
// the header, a zip archive, random binary. Each must end its job FAILED with a
// clear error — answered with wait: true, and also when polled after wait: false
// — never a job left RUNNING, and write no row.
const JOB = "id status error rowsImported";

/** A minimal zip file (one deflated entry), as an .xlsx or a zipped export would start. */
function zipBytes(): Buffer {
  const data = deflateRawSync(Buffer.from("name,email\nA,a@example.com\n"));
  const name = Buffer.from("customers.csv");
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, data, Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);
}

describe(`hostile import files (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "hostile-import");
  });
  afterAll(() => t.close());

  const upload = async (bytes: Uint8Array, fileName: string, wait: boolean) => {
    const form = new FormData();
    const query = `mutation ($file: File!, $wait: Boolean) { importCsvFile(kind: CUSTOMERS, file: $file, wait: $wait) { ${JOB} } }`;
    form.append("operations", JSON.stringify({ query, variables: { file: null, wait } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    form.append("0", new Blob([new Uint8Array(bytes)]), fileName);
    const res = await t.app.fetch("http://yardstick.test/graphql", { method: "POST", headers: { authorization: `Bearer ${co.keys.admin}` }, body: form });
    return (await res.json()) as GraphQLResponse<{ importCsvFile: { id: string; status: string; error: string | null; rowsImported: number } }>;
  };

  const poll = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const job = dataOf(await t.gql<{ importJob: { status: string; error: string | null } }>(`query($id: ID!) { importJob(id: $id) { status error } }`, { id }, co.keys.admin)).importJob;
      if (job.status !== "RUNNING") return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the job is still RUNNING after 10 s");
  };

  const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const cases: [string, Uint8Array, RegExp][] = [
    ["a NUL byte in the header", Buffer.from("na\u0000me,email\nA,a@example.com\n"), /NUL|binary|not a CSV/i],
    ["a zip archive (.xlsx, .zip)", zipBytes(), /zip|not a CSV/i],
    ["random binary", random, /binary|not a CSV/i],
  ];

  it.each(cases)("%s: FAILED at once with wait: true, with a clear error, nothing written", async (_label, bytes, why) => {
    const before = await rowCounts(t.db, co.id);
    const res = await upload(bytes, "upload.csv", true);
    const job = res.data?.importCsvFile ?? null;
    // Either the mutation refuses with a code, or the job it answers is FAILED with the reason.
    if (job) {
      expect(job.status).toBe("FAILED");
      expect(job.error).toMatch(why);
      expect(job.rowsImported).toBe(0);
    } else {
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(res.errors?.[0]?.message).toMatch(why);
    }
    const counts = await rowCounts(t.db, co.id);
    expect({ ...counts, audit_log: 0 }).toEqual({ ...before, audit_log: 0 });
    const running = await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM import_jobs WHERE company_id = $1 AND status = 'running'", [co.id]);
    expect(Number(running[0]!.n)).toBe(0);
  });

  it("a NUL byte inside a row of a text file is cleaned away (PostgreSQL text cannot hold it); the import finishes", async () => {
    const res = await upload(Buffer.from("name,email\nNul\u0000Name,nul@example.com\n"), "row.csv", true);
    expect(res.data?.importCsvFile).toMatchObject({ status: "DONE", rowsImported: 1 });
    const row = await t.db.prisma.customer.findFirstOrThrow({ where: { companyId: co.id, email: "nul@example.com" } });
    expect(row.name).toBe("NulName");
  });

  it.each(cases)("%s: with wait: false the polled job ends FAILED, never RUNNING for ever", async (_label, bytes, why) => {
    // A different file each time (a job for the same bytes exists from the test above).
    const res = await upload(Buffer.concat([Buffer.from(bytes), Buffer.from([0])]), "again.csv", false);
    const job = res.data?.importCsvFile ?? null;
    if (!job) {
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      return;
    }
    const done = await poll(job.id);
    expect(done.status).toBe("FAILED");
    expect(done.error).toMatch(why);
  });
});
