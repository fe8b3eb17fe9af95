// Hot loops (trends, rankings, peer values) compute thousands of values that are
// almost always ready at once; only a formula or score that needs JSONata is a
// promise. Collect them without a promise per value.

/** `f(0) … f(n-1)` in order: an array when every result was ready, else a promise of it. */
export function settleAll<T>(n: number, f: (i: number) => T | Promise<T>): T[] | Promise<T[]> {
  const out = new Array<T>(n);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const v = f(i);
    if (v instanceof Promise) pending.push(v.then((x) => void (out[i] = x)));
    else out[i] = v;
  }
  return pending.length ? Promise.all(pending).then(() => out) : out;
}
