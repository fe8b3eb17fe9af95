// A request that runs past its deadline is answered with TIMEOUT (HTTP 503)
// instead of hanging. The deadline counts from the moment the request arrives:
// authentication (bounded by withinDeadline) and execution share it. When it
// passes, execution is aborted — no further field is resolved, so no further
// statement is sent — and the statement already running is ended by the
// database itself (statement_timeout, src/ops/timeouts.ts).
import type { GraphQLError } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";

export function timeoutError(ms: number): GraphQLError {
  return createGraphQLError(`The request took longer than ${ms} ms and was stopped.`, {
    extensions: { code: "TIMEOUT", http: { status: 503 } },
  });
}

const arrivals = new WeakMap<Request, number>();

/** Milliseconds left of the request's deadline (the whole of it for a request not seen arriving). */
function remaining(request: Request | undefined, ms: number): number {
  const arrived = request ? arrivals.get(request) : undefined;
  return arrived === undefined ? ms : Math.max(0, ms - (Date.now() - arrived));
}

/** When the request's answer is due (epoch ms): its arrival plus the deadline. */
export function deadlineOf(request: Request | undefined, ms: number): number {
  return Date.now() + remaining(request, ms);
}

/**
 * Races work done before execution (authentication reads the key from the
 * database) against what is left of the request's deadline: rejects with TIMEOUT.
 */
export function withinDeadline<T>(request: Request, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(ms)), remaining(request, ms));
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function useRequestTimeout(ms: number): Plugin {
  return {
    onRequest({ request }) {
      arrivals.set(request, Date.now());
    },
    onExecute({ executeFn, setExecuteFn, args }) {
      const request = (args.contextValue as { request?: Request } | undefined)?.request;
      setExecuteFn((execArgs) => {
        let timer: NodeJS.Timeout | undefined;
        const abort = new AbortController();
        const previous = (execArgs as { signal?: AbortSignal }).signal;
        const signal = previous ? AbortSignal.any([previous, abort.signal]) : abort.signal;
        const deadline = new Promise((resolve) => {
          timer = setTimeout(() => {
            resolve({ errors: [timeoutError(ms)] });
            // After the answer is settled: the executor stops resolving fields (and sending SQL).
            abort.abort(timeoutError(ms));
          }, remaining(request, ms));
        });
        const run = Promise.resolve(executeFn({ ...execArgs, signal } as typeof execArgs));
        return Promise.race([run, deadline]).finally(() => clearTimeout(timer)) as ReturnType<typeof executeFn>;
      });
    },
  };
}
