// Unit tests of value → 0–100 score (src/metrics/score.ts), no database; each
// expectation carries its arithmetic.
import { describe, expect, it } from "vitest";
import { scoreBands, scoreNow, scoreQuantile, scoreTarget } from "../../src/metrics/score.js";

describe("scoreTarget (linear from worst = 0 to target = 100)", () => {
  it("higher is better, worst defaults to 0", () => {
    // (45 − 0) / (60 − 0) × 100 = 75
    expect(scoreTarget(45, 60, undefined, "higher_is_better")).toBe(75);
    // beyond the target and below worst are clamped
    expect(scoreTarget(90, 60, undefined, "higher_is_better")).toBe(100);
    expect(scoreTarget(-5, 60, undefined, "higher_is_better")).toBe(0);
    // with worst 20: (30 − 20) / (60 − 20) × 100 = 25
    expect(scoreTarget(30, 60, 20, "higher_is_better")).toBe(25);
  });
  it("lower is better, worst defaults to twice the target", () => {
    // target 4 h, worst 8 h: (6 − 8) / (4 − 8) × 100 = 50
    expect(scoreTarget(6, 4, undefined, "lower_is_better")).toBe(50);
    // target 0: worst defaults to 1 → (0.25 − 1) / (0 − 1) × 100 = 75
    expect(scoreTarget(0.25, 0, undefined, "lower_is_better")).toBe(75);
  });
  it("rounds to two decimals and handles worst = target", () => {
    // 1 / 3 × 100 = 33.333… → 33.33
    expect(scoreTarget(1, 3, undefined, "higher_is_better")).toBe(33.33);
    expect(scoreTarget(5, 5, 5, "higher_is_better")).toBe(100);
    expect(scoreTarget(4, 5, 5, "higher_is_better")).toBe(0);
  });
});

describe("scoreBands", () => {
  const bands = [{ max: 10, score: 20 }, { min: 10, max: 20, score: 60 }, { min: 20, score: 100 }];
  it("takes the first band containing the value, min inclusive and max exclusive", () => {
    expect([5, 10, 19.99, 20, 1e9].map((v) => scoreBands(v, bands))).toEqual([20, 60, 60, 100, 100]);
  });
  it("scores 0 outside every band", () => {
    expect(scoreBands(3, [{ min: 5, score: 80 }])).toBe(0);
  });
});

describe("scoreQuantile (percentile rank among peers, ties count half)", () => {
  it("higher is better", () => {
    // peers 10, 20, 30, 40; value 30: beats 2, ties 1 → (2 + 0.5) / 4 × 100 = 62.5
    expect(scoreQuantile(30, [10, 20, 30, 40], "higher_is_better")).toBe(62.5);
  });
  it("lower is better", () => {
    // value 20 among 10, 20, 30, 40: beats 30 and 40 = 2, ties 1 → 2.5 / 4 × 100 = 62.5
    expect(scoreQuantile(20, [10, 20, 30, 40], "lower_is_better")).toBe(62.5);
    // value 10: beats 3, ties 1 → 3.5 / 4 × 100 = 87.5
    expect(scoreQuantile(10, [10, 20, 30, 40], "lower_is_better")).toBe(87.5);
  });
  it("has no score without peers", () => {
    expect(scoreQuantile(1, [], "higher_is_better")).toBeNull();
  });
});

describe("scoreNow", () => {
  const ctx = { params: { cap: 80 } };
  it("dispatches on the method and has no score for no value", () => {
    expect(scoreNow({ method: "target", target: 50 }, 25, "higher_is_better", ctx)).toBe(50); // 25 / 50 × 100
    expect(scoreNow({ method: "bands", bands: [{ min: 0, score: 70 }] }, 3, "higher_is_better", ctx)).toBe(70);
    expect(scoreNow({ method: "quantile" }, 3, "higher_is_better", ctx)).toBeNull(); // no peers given
    expect(scoreNow({ method: "quantile" }, 3, "higher_is_better", { ...ctx, peers: [1, 3, 5] })).toBe(50); // (1 + 0.5) / 3
    expect(scoreNow({ method: "target", target: 50 }, null, "higher_is_better", ctx)).toBeNull();
  });
  it("runs score expressions over value and params, clamped and rounded", async () => {
    // min(2 × 45, cap 80) = 80
    expect(await scoreNow({ method: "expression", expression: "$min([value * 2, params.cap])" }, 45, "higher_is_better", ctx)).toBe(80);
    // value × 1.5 = 150 → clamped to 100; 10 / 3 = 3.333… → 3.33
    expect(await scoreNow({ method: "expression", expression: "value * 1.5" }, 100, "higher_is_better", ctx)).toBe(100);
    expect(await scoreNow({ method: "expression", expression: "value / 3" }, 10, "higher_is_better", ctx)).toBe(3.33);
    // a non-number has no score
    expect(await scoreNow({ method: "expression", expression: "\"high\"" }, 10, "higher_is_better", ctx)).toBeNull();
  });
});
