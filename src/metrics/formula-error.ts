// A formula's own failure: a limit it hit, or an error in it. Apart from formula.ts so the worker
// pool can raise it without importing the compiler.
export class FormulaError extends Error {
  constructor(
    readonly code: "FORMULA_LIMIT" | "FORMULA_ERROR",
    message: string,
  ) {
    super(message);
  }
}
