// Gives the event loop a turn between the embedded database's statements.
//
// PGlite runs PostgreSQL in WebAssembly on the main thread: while a statement
// executes, nothing else in the process runs. That much cannot be helped
// without moving PGlite to a worker. What made it worse: statements sent at
// once (the engine sends a dashboard's aggregates together) wait on PGlite's
// own mutex, and each one starts in a microtask the moment the previous one
// ends — so the process stayed blocked for the SUM of them. Measured on the
// demo company: a 12-KPI team dashboard (four aggregates of 0.3–0.5 s) held a
// /health request for 1.5 s, and a SIGTERM as long.
//
// Here the top-level query/exec/transaction calls take turns in a FIFO, and
// each waits for setImmediate before it starts: I/O that arrived meanwhile (a
// probe, a signal, another client's request) is handled between two
// statements, so the wait is at most ONE statement. Statements inside a
// transaction run as before (PGlite calls its private methods for them).
import type { PGlite } from "@electric-sql/pglite";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function takeTurns(pglite: PGlite): void {
  let tail: Promise<unknown> = Promise.resolve();
  const queue = <T>(run: () => Promise<T>): Promise<T> => {
    const p = tail.then(turn).then(run);
    tail = p.catch(() => undefined);
    return p;
  };
  const target = pglite as unknown as Record<"query" | "exec" | "transaction", (...args: unknown[]) => Promise<unknown>>;
  for (const name of ["query", "exec", "transaction"] as const) {
    const original = target[name]!.bind(pglite);
    target[name] = (...args: unknown[]) => queue(() => original(...args));
  }
}
