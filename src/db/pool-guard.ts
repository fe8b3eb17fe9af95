// Gives the pool back a connection that died while checked out.
//
// When the database goes away in the middle of a Prisma interactive
// transaction, Prisma's transaction manager sends ROLLBACK (or COMMIT) on the
// dead connection, that throws, and it never calls the adapter's release: the
// pg client stays checked out for ever (Prisma 6.19, @prisma/adapter-pg; the
// same class of leak as prisma/orm#29719). Each outage then costs the pool the
// connections that were in a transaction, until requests can only get
// DATABASE_BUSY and pool.end() hangs on shutdown.
//
// A connection that has ended can serve nobody, so when a checked-out client's
// connection ends, it is released at once with an error (pg-pool then discards
// it and opens a fresh one for the next request). Its holder may still call
// release() later: that second call is made harmless instead of throwing
// "Release called on client which has already been released".
//
// Also: a client checked out between two statements (our own transactions —
// imports, migrations — hold one while JavaScript runs) emits 'error' when its
// connection dies, and pg-pool listens only while the client is idle. With no
// listener that is an uncaught exception: the process would crash on the first
// outage that hits an import. The holder still learns of it: its next
// statement fails ("not queryable").
import type pg from "pg";

/** Makes a connection's death while checked out harmless: no crash, no leaked client. */
export function releaseDeadClients(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
    client.on("end", () => {
      const held = client as pg.PoolClient;
      if (!checkedOut.has(held)) return;
      const release = held.release.bind(held);
      let released = false;
      held.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        release(err);
      };
      held.release(new Error("connection ended while checked out"));
    });
  });
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_err, client) => checkedOut.delete(client));
}
