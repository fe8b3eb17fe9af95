// Provisioning: companies and their keys, for whoever runs the installation.
//
//   npm run company -- create --slug acme --name "Acme Ltd" [--time-zone Asia/Shanghai] [--currency CNY]
//   npm run company -- key --slug acme --role admin|manager|viewer [--name "…"]
//   npm run company -- list
//   (each takes [--database-url URL]; default DATABASE_URL, else the embedded data dir)
//
// create and key print the new key once, alone on the last line of stdout (the
// database keeps only its hash). A bad option value, an unknown company or a
// duplicate slug: a message naming the option on stderr, exit 2, nothing written.
import { parseArgs } from "node:util";
import { isRole, ROLES } from "../auth/viewer.js";
import {
  checkName, checkNewCompany, checkSlug, CompanyExists, CompanyInputError, CompanyNotFound,
  issueCompanyKey, listCompanies, provisionCompany,
} from "../org/company.js";
import { openCliDatabase, UsageError } from "./open.js";

const USAGE = `usage: company create --slug SLUG --name NAME [--time-zone IANA_ZONE] [--currency ISO_4217] [--database-url URL]
       company key --slug SLUG --role ${ROLES.join("|")} [--name NAME] [--database-url URL]
       company list [--database-url URL]`;

// Field names of src/org/company.ts → the CLI's option names.
const OPTION: Record<CompanyInputError["field"], string> = {
  slug: "--slug", name: "--name", timeZone: "--time-zone", currency: "--currency", role: "--role",
};

function readArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        slug: { type: "string" },
        name: { type: "string" },
        "time-zone": { type: "string" },
        currency: { type: "string" },
        role: { type: "string" },
        "database-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    // Unknown option, missing value …: node names the option in its message.
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = readArgs(argv);
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"\n${USAGE}`);

  if (command === "create") {
    // Every value is checked before the database is opened: a refusal writes nothing.
    const input = checkNewCompany({ slug: values.slug, name: values.name, timeZone: values["time-zone"], currency: values.currency });
    const db = await openCliDatabase(values["database-url"]);
    try {
      const made = await provisionCompany(db.prisma, input);
      console.log(`created company ${made.slug} (${input.name}, ${input.timeZone}, ${input.currency}) on the ${db.kind === "postgres" ? "PostgreSQL" : "embedded"} database`);
      console.log("its first ADMIN key, shown this once (only a hash is stored):");
      console.log(made.key);
    } finally {
      await db.close();
    }
    return;
  }

  if (command === "key") {
    if (values.slug === undefined) throw new CompanyInputError("slug", "is required");
    checkSlug(values.slug);
    if (values.role === undefined || !isRole(values.role)) {
      throw new CompanyInputError("role", `${values.role === undefined ? "is required" : `"${values.role}" is not a role`}: one of ${ROLES.join(", ")}`);
    }
    const role = values.role;
    const name = checkName(values.name ?? `${role} key (cli)`);
    const db = await openCliDatabase(values["database-url"]);
    try {
      const made = await issueCompanyKey(db.prisma, values.slug, role, name);
      console.log(`issued a ${role.toUpperCase()} key "${name}" for ${made.slug}, shown this once (only a hash is stored):`);
      console.log(made.key);
    } finally {
      await db.close();
    }
    return;
  }

  if (command === "list") {
    const db = await openCliDatabase(values["database-url"]);
    try {
      const rows = await listCompanies(db.prisma);
      if (rows.length === 0) console.log("no companies yet: npm run company -- create --slug … --name …");
      for (const r of rows) {
        console.log([r.slug, r.name, r.timeZone, r.currency, `${r.activeKeys} active key${r.activeKeys === 1 ? "" : "s"}`, r.createdAt.toISOString()].join("\t"));
      }
    } finally {
      await db.close();
    }
    return;
  }

  throw new UsageError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof CompanyInputError) {
      console.error(`${OPTION[err.field]}: ${err.reason}`);
      process.exit(2);
    }
    if (err instanceof CompanyExists || err instanceof CompanyNotFound) {
      console.error(`--slug: ${err.message.replace(/^slug: /, "")}`);
      process.exit(2);
    }
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
