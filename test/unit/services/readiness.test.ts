import { describe, expect, it } from "vitest";
import { ServiceUnavailableError } from "../../../shared/errors";
import type { TableProbe } from "../../../shared/ports/health";
import { Readiness } from "../../../shared/services/readiness";
import { ManualClock } from "../../support/fakes";

/** A probe answering from a list, one answer per call (an Error is thrown), counting its calls. */
function probe(...answers: (string | undefined | Error)[]): TableProbe & { calls: number } {
  return {
    calls: 0,
    async tableStatus() {
      const answer = answers[Math.min(this.calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe("Readiness (GET /v1/health)", () => {
  it("is ready when the table is ACTIVE, and reuses that answer for cacheMs only", async () => {
    const clock = new ManualClock();
    const table = probe("ACTIVE", "UPDATING");
    const readiness = new Readiness({ probe: table, clock, cacheMs: 10_000 });
    await readiness.check();
    clock.advance(9_999);
    await readiness.check();
    expect(table.calls).toBe(1);
    clock.advance(1);
    await expect(readiness.check()).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(table.calls).toBe(2);
  });

  it.each([
    ["a table that is not ACTIVE", "CREATING"],
    ["no status", undefined],
    ["an unreachable table", new Error("connect ECONNREFUSED")],
  ])("answers %s with a 503 to retry after 5 s, and asks again next time", async (_, answer) => {
    const table = probe(answer, "ACTIVE");
    const readiness = new Readiness({ probe: table, clock: new ManualClock(), cacheMs: 10_000 });
    const err = await readiness.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 5 });
    await readiness.check();
    expect(table.calls).toBe(2);
  });
});
