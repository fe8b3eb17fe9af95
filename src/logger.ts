import { pino } from "pino";

// JSON lines on stderr; quiet in tests unless LOG_LEVEL says otherwise.
export const logger = pino(
  { level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info") },
  pino.destination(2),
);
