import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_MAX } from "../../src/limits/pagination.js";
import { companyFixture, type CompanyFixture } from "../helpers/company-fixture.js";
import { dataOf } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Connections state their maximum page in the schema and refuse what they will
// not do — more than the maximum, a negative count, first and last together —
// with BAD_USER_INPUT naming the argument, instead of capping in silence.
describe(`pagination limits (${TEST_DB})`, () => {
  let f: CompanyFixture;
  let key: string;
  const gql = (query: string, variables?: Record<string, unknown>) => f.t.gql(query, variables, key);

  beforeAll(async () => {
    f = await companyFixture({ slug: "pages" });
    key = f.co.keys.viewer;
    // 105 customers: one more page than PAGE_MAX (100) holds.
    await f.prisma.customer.createMany({
      data: Array.from({ length: 105 }, (_, i) => ({ companyId: f.co.id, name: `c${String(i).padStart(3, "0")}` })),
    });
  });
  afterAll(() => f?.close());

  it("states the maximum in the schema", async () => {
    const data = dataOf(
      await gql(`{ __type(name: "Company") { fields { name args { name description } } } }`),
    ) as { __type: { fields: { name: string; args: { name: string; description: string | null }[] }[] } };
    const customers = data.__type.fields.find((x) => x.name === "customers")!;
    expect(customers.args.find((a) => a.name === "first")!.description).toMatch(new RegExp(`0–${PAGE_MAX}`));
    expect(customers.args.find((a) => a.name === "last")!.description).toMatch(new RegExp(`0–${PAGE_MAX}`));
  });

  it("serves a full page of the maximum and says there is more", async () => {
    const data = dataOf(await gql(`{ company { customers(first: ${PAGE_MAX}) { totalCount edges { node { name } } pageInfo { hasNextPage } } } }`)) as {
      company: { customers: { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean } } };
    };
    // 105 customers, first 100 → 100 edges, 5 left.
    expect(data.company.customers).toMatchObject({ totalCount: 105, pageInfo: { hasNextPage: true } });
    expect(data.company.customers.edges).toHaveLength(100);
  });

  it("refuses first over the maximum instead of capping it", async () => {
    const res = await gql(`{ company { customers(first: 1000) { totalCount } } }`);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first", max: 100 });
    expect(res.errors![0]!.message).toMatch(/company\.customers: first is at most 100 \(got 1000\)/);
  });

  it("refuses first and last together", async () => {
    const res = await gql(`{ company { customers(first: 5, last: 5) { totalCount } } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "last" });
    expect(res.errors![0]!.message).toMatch(/first and last cannot be used together/);
  });

  it("refuses negative counts, also through variables and under an alias", async () => {
    const literal = await gql(`{ company { customers(first: -1) { totalCount } } }`);
    expect(literal.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    const viaVariable = await gql(`query($n: Int) { company { some: customers(last: $n) { totalCount } } }`, { n: -3 });
    expect(viaVariable.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "last" });
    expect(viaVariable.errors![0]!.message).toMatch(/company\.some: last must be 0 or more \(got -3\)/);
  });

  it("checks connections inside fragments too", async () => {
    const res = await gql(`{ company { ...C } } fragment C on Company { customers(first: 101) { totalCount } }`);
    expect(res.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });
});
