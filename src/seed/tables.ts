// Moved to src/db/tables.ts (the importer and the seed both write these tables); kept so older imports resolve.
export * from "../db/tables.js";
