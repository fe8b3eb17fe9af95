// Seeded pseudo-random numbers for the demo-data generator. Everything the
// seeder produces (values, dates, ids) comes from here, so one seed always gives
// byte-identical data. sfc32 is small, fast and passes PractRand far beyond what
// a seeder needs; splitmix32 spreads arbitrary seeds (and stream labels) over its
// 128-bit state so that neighbouring seeds give unrelated streams.

const UINT32 = 0x1_0000_0000;

/** splitmix32 step: a good 32-bit mixer, used to expand seeds. */
function splitmix32(state: number): [value: number, next: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [z >>> 0, next];
}

/** FNV-1a over a string: turns labels (stream names, slugs) into seed material. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface WeightedChoice<T> {
  readonly value: T;
  readonly weight: number;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second normal deviate of the last Box–Muller pair. */
  private spareNormal: number | null = null;

  /**
   * Seeds from any number of integers or labels: `new Rng(seed, "customer", 17)`
   * gives a stream independent of `new Rng(seed, "customer", 18)`. Independent
   * streams keep one entity's data stable when another's generation changes.
   */
  constructor(...parts: readonly (number | string)[]) {
    let s = 0x6a09e667;
    for (const part of parts) {
      const v = typeof part === "number" ? part : hashString(part);
      // Mix both 32-bit halves so seeds beyond 2^32 still matter.
      s = splitmix32(s ^ (v >>> 0))[0];
      s = splitmix32(s ^ Math.floor(v / UINT32))[0];
    }
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [value, next] = splitmix32(s);
      words.push(value);
      s = next;
    }
    this.a = words[0]!;
    this.b = words[1]!;
    this.c = words[2]!;
    this.d = words[3]!;
    // Warm up: the first outputs of sfc32 correlate with the seed words.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer (sfc32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / UINT32;
  }

  /** A new independent stream derived from this one (consumes one draw). */
  fork(label: string | number = 0): Rng {
    return new Rng(this.nextUint32(), label);
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T>(choices: readonly WeightedChoice<T>[]): T {
    let total = 0;
    for (const c of choices) total += c.weight;
    if (!(total > 0)) throw new Error("weighted pick needs a positive total weight");
    let r = this.next() * total;
    for (const c of choices) {
      r -= c.weight;
      if (r < 0) return c.value;
    }
    return choices[choices.length - 1]!.value;
  }

  /** Index into a cumulative-weight table (ascending, last = total): O(log n). */
  pickCumulative(cumulative: readonly number[]): number {
    const total = cumulative[cumulative.length - 1] ?? 0;
    const r = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Normal deviate (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median: right-skewed amounts and durations. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    let u = 0;
    while (u === 0) u = this.next();
    return -Math.log(u) * mean;
  }

  /** Poisson count with mean lambda (Knuth for small means, normal beyond). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** A v4-shaped UUID whose 122 random bits come from this stream. */
  uuid(): string {
    const w0 = this.nextUint32();
    const w1 = this.nextUint32();
    const w2 = this.nextUint32();
    const w3 = this.nextUint32();
    const b = [
      w0 >>> 24, (w0 >>> 16) & 0xff, (w0 >>> 8) & 0xff, w0 & 0xff,
      w1 >>> 24, (w1 >>> 16) & 0xff, ((w1 >>> 8) & 0x0f) | 0x40, w1 & 0xff,
      ((w2 >>> 24) & 0x3f) | 0x80, (w2 >>> 16) & 0xff, (w2 >>> 8) & 0xff, w2 & 0xff,
      w3 >>> 24, (w3 >>> 16) & 0xff, (w3 >>> 8) & 0xff, w3 & 0xff,
    ];
    const h = b.map((x) => HEX[x]!);
    return (
      h[0]! + h[1]! + h[2]! + h[3]! + "-" + h[4]! + h[5]! + "-" + h[6]! + h[7]! + "-" +
      h[8]! + h[9]! + "-" + h[10]! + h[11]! + h[12]! + h[13]! + h[14]! + h[15]!
    );
  }
}
