// Expected errors become GraphQL errors with a code and the field at fault;
// anything else is masked by Yoga and logged.
import { createGraphQLError } from "graphql-yoga";
import { FrameworkNotFound, FrameworkRejected } from "../frameworks/framework-store.js";
import { MetricError } from "../metrics/engine.js";
import { PeriodError } from "../metrics/period.js";
import { PluginInUse, PluginNotFound, PluginRejected } from "../metrics/plugin-store.js";

export function userError(code: string, field: string, message: string, extra: Record<string, unknown> = {}) {
  return createGraphQLError(message, { extensions: { code, field, ...extra } });
}

export async function withUserErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MetricError) throw userError(err.code, err.field, err.message);
    if (err instanceof PeriodError) throw userError("BAD_PERIOD", err.field, err.message);
    if (err instanceof PluginRejected) throw userError("INVALID_PLUGIN", err.issues[0]?.path ?? "document", err.message, { issues: err.issues });
    if (err instanceof FrameworkRejected) throw userError("INVALID_FRAMEWORK", err.issues[0]?.path ?? "document", err.message, { issues: err.issues });
    if (err instanceof PluginNotFound || err instanceof FrameworkNotFound) throw userError("NOT_FOUND", "key", err.message);
    if (err instanceof PluginInUse) throw userError("PLUGIN_IN_USE", "key", err.message, { frameworks: err.frameworks });
    throw err;
  }
}
