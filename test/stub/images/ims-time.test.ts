// The time an image shows (created_at, updated_at, active_at) is formatted without Date for the time of day
// (server/ims/images/ims-time.ts): it must write what Date's own ISO form cut to the second writes, for every
// instant Date can hold. The seed is fixed; on failure fast-check prints the counterexample and how to replay it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { imsTime } from "../../../server/ims/images/ims-time.ts";

const SEED = 20261130;
const MAX_DATE_MS = 8.64e15;
const dateFormatted = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

describe("imsTime", () => {
  it("writes what Date writes, cut to the second, for any instant Date can hold", () => {
    // Instants near each other and far apart in turn: the formatter keeps the day it formatted last.
    const instant = fc.oneof(fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }), fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2100, 0, 1) }));
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (instants) => {
        for (const ms of instants) expect(imsTime(ms)).toBe(dateFormatted(ms));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it.each([
    ["the epoch", 0],
    ["a millisecond before it", -1],
    ["the last millisecond of a day", Date.UTC(2026, 10, 30) - 1],
    ["the first of the next", Date.UTC(2026, 10, 30)],
    ["a leap day", Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    // (Date.UTC reads years 0–99 as 1900–1999.)
    ["the first instant of year 0", Date.parse("0000-01-01T00:00:00Z")],
    ["the last of year -1", Date.parse("0000-01-01T00:00:00Z") - 1],
    ["the last of year 9999", Date.UTC(9999, 11, 31, 23, 59, 59, 999)],
    ["the first of year 10000", Date.UTC(10000, 0, 1)],
    ["the first of Date's range", -MAX_DATE_MS],
    ["the last of Date's range", MAX_DATE_MS],
  ])("%s", (_title, ms) => {
    expect(imsTime(ms)).toBe(dateFormatted(ms));
  });

  it("refuses what Date refuses: no time is not a time", () => {
    expect(() => imsTime(Number.NaN)).toThrow(RangeError);
  });
});
