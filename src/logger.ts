import { pino } from "pino";
import { requestIdNow } from "./telemetry/request-context.js";

// JSON lines on stderr; quiet in tests unless LOG_LEVEL says otherwise.
// Every line written while a request is handled carries its id (src/telemetry/request-context.ts),
// so "masked an internal error" or "database fault" can be matched to the access line.
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info"),
    mixin: () => {
      const requestId = requestIdNow();
      return requestId ? { requestId } : {};
    },
  },
  pino.destination(2),
);
