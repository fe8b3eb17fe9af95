// Moved to src/db/bulk.ts (the importer and the seed both write through it); kept so older imports resolve.
export * from "../db/bulk.js";
