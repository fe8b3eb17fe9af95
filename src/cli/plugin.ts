// Plugin CLI for admins who keep plugins in files.
//
//   npm run plugin -- validate <file.json>
//   npm run plugin -- evaluate <file.json> --period 2026-10 [--company demo] [--level team] [--database-url URL]
//
// validate prints every fault with its path; evaluate runs the plugin on a
// company's data and prints each measure and the result per subject.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { SubjectLevel } from "../metrics/catalog.js";
import { MetricError } from "../metrics/engine.js";
import { parsePeriodString, periodLabel } from "../metrics/period.js";
import { catalogOf, registerPlugin } from "../metrics/registry.js";
import { validatePlugin } from "../metrics/validate.js";
import { companyViewer, createSessions } from "../session.js";
import { companyBySlug, openCliDatabase, UsageError } from "./open.js";

const USAGE = "usage: plugin validate <file.json> | plugin evaluate <file.json> --period 2026-10 [--company demo] [--level company|team|member|customer] [--database-url URL]";

async function readDocument(file: string | undefined): Promise<unknown> {
  if (!file) throw new UsageError(USAGE);
  const text = await readFile(file, "utf8").catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      period: { type: "string" },
      company: { type: "string", default: "demo" },
      level: { type: "string", default: "company" },
      "database-url": { type: "string" },
    },
  });
  const [command, file] = positionals;
  const document = await readDocument(file);
  const result = validatePlugin(document);
  if (!result.ok) {
    console.error(`${file}: ${result.issues.length} problem(s)`);
    for (const i of result.issues) console.error(`  ${i.path}: ${i.message}`);
    return 1;
  }
  if (command === "validate") {
    console.log(`${file}: valid plugin "${result.plugin.key}" (${Object.keys(result.plugin.measures).length} measures)`);
    return 0;
  }
  if (command !== "evaluate") throw new UsageError(USAGE);
  if (!values.period) throw new UsageError("evaluate needs --period (2026, 2026-Q3, 2026-10, 2026-W14, 2026-10-15 or a..b)");
  const level = values.level as SubjectLevel;
  if (!result.plugin.subjects.includes(level)) throw new UsageError(`--level: the plugin supports ${result.plugin.subjects.join(", ")}`);

  const db = await openCliDatabase(values["database-url"]);
  try {
    const company = await companyBySlug(db, values.company);
    const period = parsePeriodString(values.period, company.timeZone);
    const plugin = registerPlugin(document, { builtIn: false, version: 0 });
    // The file's plugin alone, not the company's saved catalogue: it is evaluated before it is saved.
    const { session } = await createSessions(db, { catalogCacheSize: 1 }).openSession(companyViewer(company), {
      catalog: catalogOf(new Map([[plugin.plugin.key, plugin]])),
    });
    const subjects: { id: string | null; name: string }[] =
      level === "company"
        ? [{ id: null, name: company.name }]
        : level === "team"
          ? await db.prisma.team.findMany({ where: { companyId: company.id }, select: { id: true, name: true }, orderBy: { name: "asc" } })
          : level === "member"
            ? await db.prisma.member.findMany({ where: { companyId: company.id }, select: { id: true, name: true }, orderBy: { name: "asc" } })
            : await db.prisma.customer.findMany({ where: { companyId: company.id }, select: { id: true, name: true }, orderBy: { name: "asc" }, take: 50 });
    console.log(`${plugin.plugin.key} for ${company.slug}, ${periodLabel(period)} (${company.timeZone}), by ${level}`);
    const rows = await Promise.all(
      subjects.map(async (s) => {
        const measures = await session.measuresOf(plugin, level, s.id, period);
        const outcome = await session.valueOf(plugin, level, s.id, period);
        return { subject: s.name, ...measures, value: outcome.value, label: outcome.label, reason: outcome.reason };
      }),
    );
    console.table(rows);
    return 0;
  } catch (err) {
    if (err instanceof MetricError) {
      console.error(`${err.field}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : err);
    process.exit(2);
  },
);
