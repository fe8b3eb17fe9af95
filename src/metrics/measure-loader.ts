// Per-request batching of measure values. Every (measure, window, subject)
// asked for while a request resolves is collected; at dispatch the loads are
// grouped by (source, level, time field, breakdown) and each group becomes ONE
// SQL statement over all its windows and subjects. The statement count
// therefore follows the number of sources asked for, never the number of
// teams, members, customers or periods.
import DataLoader from "dataloader";
import type { SqlDriver } from "../db/driver.js";
import type { Dimension, SourceName, SubjectLevel } from "./catalog.js";
import { compileGroup, emptyValue, timeModeOf, type StatementGroup } from "./compile.js";
import type { Measure } from "./plugin-schema.js";
import { windowKey, type Window } from "./period.js";

export interface MeasureLoad {
  level: SubjectLevel;
  /** null for the company level, or with `allPeers`. */
  subjectId: string | null;
  measure: Measure;
  window: Window;
  dimension?: Dimension;
  /** Load every subject of the level (peer comparison); the result maps subject → value. */
  allPeers?: boolean;
}

/** Value of one measure; by subject id (allPeers) and/or by dimension value (breakdowns). */
export type MeasureResult = number | null | Map<string, number | null>;

function measureKey(m: Measure): string {
  // offset is already applied to the window; it must not split groups.
  const { offset: _offset, ...rest } = m;
  return JSON.stringify(rest);
}

function groupKey(l: MeasureLoad): string {
  return [l.measure.source, l.level, timeModeOf(l.measure), l.dimension ?? ""].join("|");
}

function loadKey(l: MeasureLoad): string {
  return [groupKey(l), measureKey(l.measure), windowKey(l.window), l.allPeers ? "*" : (l.subjectId ?? "")].join("|");
}

export interface MeasureLoaderOptions {
  sql: Pick<SqlDriver, "query">;
  companyId: string;
}

export function createMeasureLoader({ sql, companyId }: MeasureLoaderOptions): DataLoader<MeasureLoad, MeasureResult, string> {
  return new DataLoader<MeasureLoad, MeasureResult, string>(
    async (loads) => {
      const groups = new Map<string, MeasureLoad[]>();
      for (const l of loads) {
        const k = groupKey(l);
        const list = groups.get(k);
        if (list) list.push(l);
        else groups.set(k, [l]);
      }
      const results = new Map<string, MeasureResult>();
      await Promise.all(
        [...groups.values()].map(async (members) => {
          const first = members[0]!;
          const measures = new Map<string, Measure>();
          const windows = new Map<string, Window>();
          const subjects = new Set<string>();
          let all = false;
          for (const l of members) {
            measures.set(measureKey(l.measure), l.measure);
            windows.set(windowKey(l.window), l.window);
            if (l.allPeers) all = true;
            else if (l.subjectId) subjects.add(l.subjectId);
          }
          const group: StatementGroup = {
            source: first.measure.source as SourceName,
            level: first.level,
            timeMode: timeModeOf(first.measure),
            dimension: first.dimension,
            measures: [...measures.values()],
            windows: [...windows.values()],
            subjects: first.level === "company" || all ? null : [...subjects],
          };
          const { sql: text, params } = compileGroup(companyId, group);
          const rows = await sql.query<Record<string, unknown>>(text, params);

          const measureIndex = new Map([...measures.keys()].map((k, i) => [k, i]));
          const windowIndex = new Map([...windows.keys()].map((k, i) => [k, i + 1]));
          // (window, subject, dim) → row
          const byCell = new Map<string, Record<string, unknown>>();
          for (const r of rows) byCell.set(`${Number(r.wi)}|${r.sid ?? ""}|${r.dim ?? ""}`, r);

          const valueOf = (row: Record<string, unknown> | undefined, i: number, m: Measure): number | null => {
            const v = row?.[`m${i}`];
            if (v === null || v === undefined) return emptyValue(m);
            const n = Number(v);
            return Number.isFinite(n) ? n : null;
          };

          for (const l of members) {
            const i = measureIndex.get(measureKey(l.measure))!;
            const wi = windowIndex.get(windowKey(l.window))!;
            const key = loadKey(l);
            if (!l.allPeers && !l.dimension) {
              results.set(key, valueOf(byCell.get(`${wi}|${l.subjectId ?? ""}|`), i, l.measure));
              continue;
            }
            // Peers or slices: collect every matching cell.
            const out = new Map<string, number | null>();
            for (const r of rows) {
              if (Number(r.wi) !== wi) continue;
              if (!l.allPeers && (r.sid ?? null) !== (l.subjectId ?? null)) continue;
              const slot = l.allPeers ? String(r.sid) + (l.dimension ? `|${r.dim ?? ""}` : "") : String(r.dim ?? "");
              out.set(slot, valueOf(r, i, l.measure));
            }
            results.set(key, out);
          }
        }),
      );
      return loads.map((l) => results.get(loadKey(l)) ?? null);
    },
    {
      cacheKeyFn: loadKey,
      // Let every resolver of the current execution pass enqueue before dispatch.
      batchScheduleFn: (cb) => setImmediate(cb),
    },
  );
}
