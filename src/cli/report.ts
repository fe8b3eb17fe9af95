// The periodic management report as a command.
//
//   npm run report -- --framework team_review --period 2026-10 [--format md|csv] [--lang en|zh] [--company demo] [--out FILE] [--database-url URL]
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { rankSubjects } from "../frameworks/ranking.js";
import { reportCsv, reportMarkdown } from "../frameworks/report.js";
import { parsePeriodString } from "../metrics/period.js";
import { companyViewer, createSessions } from "../session.js";
import { companyBySlug, openCliDatabase, UsageError } from "./open.js";

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      framework: { type: "string" },
      version: { type: "string" },
      period: { type: "string" },
      format: { type: "string", default: "md" },
      lang: { type: "string", default: "en" },
      company: { type: "string", default: "demo" },
      out: { type: "string" },
      "database-url": { type: "string" },
    },
  });
  if (!values.framework || !values.period) throw new UsageError("usage: report --framework KEY --period 2026-10 [--format md|csv] [--lang en|zh] [--company demo] [--out FILE]");
  if (values.format !== "md" && values.format !== "csv") throw new UsageError("--format: md or csv");
  if (values.lang !== "en" && values.lang !== "zh") throw new UsageError("--lang: en or zh (the language of KPI names)");
  const db = await openCliDatabase(values["database-url"]);
  try {
    const company = await companyBySlug(db, values.company);
    const { session } = await createSessions(db, { catalogCacheSize: 1 }).openSession(companyViewer(company));
    const period = parsePeriodString(values.period, company.timeZone);
    const cards = await rankSubjects(db, session, company.id, { key: values.framework, version: values.version ? Number(values.version) : null }, period);
    const text = values.format === "csv" ? reportCsv(cards) : reportMarkdown(cards, { locale: values.lang });
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
