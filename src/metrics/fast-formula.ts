// A fast path for the formulas most KPIs use — arithmetic, comparisons and
// conditions over measure names, params.x and period.x, blocks binding
// variables once (`$r := …; …`), fixed array constructors, object
// constructors with literal keys, and $exists, $min, $max, $sum, $count,
// $average over them — compiled from the JSONata AST to a plain function.
// Nothing here loops: there are no function definitions, ranges, paths over
// arrays or regular expressions, so an evaluation visits each AST node at most
// once and its cost is bounded by the formula's length (why this may run on
// the main thread while everything else runs in the worker pool, issue 15). A dashboard evaluates thousands of such
// formulas per request; JSONata's async evaluator costs ~50 µs each, this ~1 µs.
//
// It reproduces JSONata's semantics for the inputs it accepts (undefined
// propagates through arithmetic, comparisons with undefined are false, …);
// anything else — functions, variables, arrays, strings in arithmetic — makes
// compileFast return null (or evaluation throw Fallback) and the formula runs
// in JSONata. test/metrics/fast-formula.test.ts checks both agree.

type AstNode = { type?: string; value?: unknown; [k: string]: unknown };
type Fn = (input: Record<string, unknown>, env: unknown[]) => unknown;

/** Variables in scope while compiling: name → slot in the evaluation's env array. */
interface Scope {
  vars: Map<string, number>;
  parent: Scope | null;
  /** Every name bound anywhere in the formula (a name bound twice is left to JSONata: shadowing). */
  all: Map<string, number>;
}

function lookup(scope: Scope | null, name: string): number | undefined {
  for (let s = scope; s; s = s.parent) {
    const slot = s.vars.get(name);
    if (slot !== undefined) return slot;
  }
  return undefined;
}

/** Thrown when an input falls outside the fast path's exact semantics: run JSONata instead. */
export class Fallback extends Error {}
/** Thrown where JSONata would fail on a non-finite operand (D1001/T2001/T2002). */
export class NonFinite extends Error {}

const fallback = () => {
  throw new Fallback();
};

function operand(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number") return fallback();
  if (!Number.isFinite(v)) throw new NonFinite();
  return v;
}

function boolean(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  return fallback();
}

function primitive(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  return fallback();
}

function path(steps: AstNode[]): Fn | null {
  if (steps.length < 1 || steps.length > 2 || steps.some((s) => s.type !== "name" || Object.keys(s).some((k) => !["type", "value", "position"].includes(k)))) return null;
  const [a, b] = steps.map((s) => String(s.value));
  if (b === undefined) return (input) => primitive(input[a!]);
  return (input) => {
    const head = input[a!];
    if (head === undefined) return undefined;
    if (!head || typeof head !== "object" || Array.isArray(head)) return fallback();
    return primitive((head as Record<string, unknown>)[b]);
  };
}

function compile(node: AstNode, scope: Scope): Fn | null {
  switch (node.type) {
    case "number":
      return () => node.value;
    case "value":
      return node.value === null ? () => null : null;
    case "string":
      return () => node.value;
    case "path":
      return Array.isArray(node.steps) ? path(node.steps as AstNode[]) : null;
    case "block": {
      const list = node.expressions as AstNode[];
      if (list.length === 0) return null;
      const inner: Scope = { vars: new Map(), parent: scope, all: scope.all };
      const fns: Fn[] = [];
      for (const e of list) {
        const f = compile(e, inner);
        if (!f) return null;
        fns.push(f);
      }
      if (fns.length === 1) return fns[0]!;
      return (i, env) => {
        let v: unknown;
        for (const f of fns) v = f(i, env);
        return v;
      };
    }
    case "bind": {
      const lhs = node.lhs as AstNode;
      if (lhs.type !== "variable" || typeof lhs.value !== "string" || lhs.value === "") return null;
      const name = lhs.value;
      if (scope.all.has(name)) return null;
      const rhs = compile(node.rhs as AstNode, scope);
      if (!rhs) return null;
      const slot = scope.all.size;
      scope.all.set(name, slot);
      scope.vars.set(name, slot);
      return (i, env) => (env[slot] = rhs(i, env));
    }
    case "variable": {
      const slot = typeof node.value === "string" && node.value !== "" ? lookup(scope, node.value) : undefined;
      if (slot === undefined) return null;
      return (_i, env) => env[slot];
    }
    case "function":
      return call(node, scope);
    case "unary": {
      if (node.value === "[") return arrayOf(node, scope);
      if (node.value === "{") return objectOf(node, scope);
      if (node.value !== "-") return null;
      const e = compile(node.expression as AstNode, scope);
      if (!e) return null;
      return (i, env) => {
        const v = e(i, env);
        if (v === undefined) return undefined;
        return typeof v === "number" ? -v : fallback();
      };
    }
    case "condition": {
      const c = compile(node.condition as AstNode, scope);
      const t = compile(node.then as AstNode, scope);
      const e = node.else === undefined ? () => undefined : compile(node.else as AstNode, scope);
      if (!c || !t || !e) return null;
      return (i, env) => (boolean(c(i, env)) ? t(i, env) : e(i, env));
    }
    case "binary":
      return binary(node, scope);
    default:
      return null;
  }
}

/** `[a, b, …]`: undefined items are dropped, array values (a variable holding one) spliced in, as JSONata does. */
function arrayOf(node: AstNode, scope: Scope): Fn | null {
  const items = node.expressions as AstNode[] | undefined;
  if (!Array.isArray(items) || items.some((x) => x.type === "unary" && x.value === "[")) return null;
  const fns: Fn[] = [];
  for (const x of items) {
    const f = compile(x, scope);
    if (!f) return null;
    fns.push(f);
  }
  return (i, env) => {
    const out: unknown[] = [];
    for (const f of fns) {
      const v = f(i, env);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out;
  };
}

/** `{ "k": v, … }` with literal keys: a key whose value is undefined is left out. */
function objectOf(node: AstNode, scope: Scope): Fn | null {
  const pairs = node.lhs as [AstNode, AstNode][] | undefined;
  if (!Array.isArray(pairs) || node.group !== undefined) return null;
  const keys: string[] = [];
  const fns: Fn[] = [];
  for (const [k, v] of pairs) {
    if (k.type !== "string" || typeof k.value !== "string" || keys.includes(k.value)) return null;
    const f = compile(v, scope);
    if (!f) return null;
    keys.push(k.value);
    fns.push(f);
  }
  return (i, env) => {
    const out: Record<string, unknown> = {};
    for (let n = 0; n < keys.length; n++) {
      const v = fns[n]!(i, env);
      if (Array.isArray(v) || (v !== null && typeof v === "object")) return fallback();
      if (v !== undefined) out[keys[n]!] = v;
    }
    return out;
  };
}

/** A function's argument as JSONata's aggregates see it: undefined, or an array of numbers. */
function numbers(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) if (typeof x !== "number") return fallback();
  return list as number[];
}

const AGGREGATES: Record<string, (v: unknown) => unknown> = {
  exists: (v) => v !== undefined,
  count: (v) => (v === undefined ? 0 : Array.isArray(v) ? v.length : 1),
  sum: (v) => {
    const l = numbers(v);
    return l === undefined ? undefined : l.reduce((a, b) => a + b, 0);
  },
  min: (v) => {
    const l = numbers(v);
    return l === undefined || l.length === 0 ? undefined : Math.min(...l);
  },
  max: (v) => {
    const l = numbers(v);
    return l === undefined || l.length === 0 ? undefined : Math.max(...l);
  },
  average: (v) => {
    const l = numbers(v);
    return l === undefined || l.length === 0 ? undefined : l.reduce((a, b) => a + b, 0) / l.length;
  },
};

/** `$exists(x)`, `$min([…])`, … with one argument; any other function is left to JSONata. */
function call(node: AstNode, scope: Scope): Fn | null {
  const proc = node.procedure as AstNode | undefined;
  const args = node.arguments as AstNode[] | undefined;
  if (node.value !== "(" || proc?.type !== "variable" || !Array.isArray(args) || args.length !== 1) return null;
  const name = String(proc.value);
  // A variable of the formula's own named like a built-in would shadow it.
  if (!Object.hasOwn(AGGREGATES, name) || scope.all.has(name)) return null;
  const f = AGGREGATES[name]!;
  const a = compile(args[0]!, scope);
  if (!a) return null;
  return (i, env) => f(a(i, env));
}

function binary(node: AstNode, scope: Scope): Fn | null {
  const l = compile(node.lhs as AstNode, scope);
  const r = compile(node.rhs as AstNode, scope);
  if (!l || !r) return null;
  switch (node.value) {
    case "+":
    case "-":
    case "*":
    case "/":
    case "%": {
      const op = node.value;
      return (i, env) => {
        const a = operand(l(i, env));
        const b = operand(r(i, env));
        if (a === undefined || b === undefined) return undefined;
        return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : op === "/" ? a / b : a % b;
      };
    }
    case "=":
    case "!=": {
      const eq = node.value === "=";
      return (i, env) => {
        const a = l(i, env);
        const b = r(i, env);
        if (a === undefined || b === undefined) return false;
        return eq ? a === b : a !== b;
      };
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const op = node.value;
      return (i, env) => {
        const a = l(i, env);
        const b = r(i, env);
        if ((a !== undefined && typeof a !== "number") || (b !== undefined && typeof b !== "number")) return fallback();
        if (a === undefined || b === undefined) return undefined;
        return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
      };
    }
    case "and":
      return (i, env) => boolean(l(i, env)) && boolean(r(i, env));
    case "or":
      return (i, env) => boolean(l(i, env)) || boolean(r(i, env));
    default:
      return null;
  }
}

/** A plain function equal to the JSONata expression, or null when the expression is outside the fast path. */
export function compileFast(ast: unknown): ((input: Record<string, unknown>) => unknown) | null {
  // JSONata's AST nodes inherit from its parser's per-parse symbol table (~12 KB); a plain copy
  // keeps closures from pinning it — that is most of a compiled plugin's memory otherwise.
  const scope: Scope = { vars: new Map(), parent: null, all: new Map() };
  const fn = compile(JSON.parse(JSON.stringify(ast)) as AstNode, scope);
  if (!fn) return null;
  const slots = scope.all.size;
  return slots === 0 ? (input) => fn(input, EMPTY) : (input) => fn(input, new Array(slots));
}

const EMPTY: unknown[] = [];
