import type { Context } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { route } from "../../../functions/tenants/createTenant";
import { ConflictError, UnprocessableError } from "../../../shared/errors";
import type { HttpRequest, HttpResult } from "../../../shared/http/handler";
import { idempotent } from "../../../shared/http/idempotency";
import { ManualClock } from "../../support/fakes";
import { MemoryIdempotencyStore, testActor } from "../../support/memory";

/**
 * Idempotency-Key semantics on the in-memory store (the emulator run is
 * test/integration/idempotency.test.ts; the DynamoDB conditions are in the adapter's test).
 */
type Req = HttpRequest<typeof route>;

let clock: ManualClock;
let store: MemoryIdempotencyStore;
let runs: number;
let answer: (req: Req) => Promise<HttpResult>;

const context = (remainingMs = 10_000) =>
  ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;
const request = (over: { key?: string; keyId?: string; name?: string } = {}): Req =>
  ({
    params: undefined,
    query: undefined,
    body: { name: over.name ?? "Acme" },
    caller: { keyId: over.keyId ?? "key_admin", role: "admin" },
    actor: testActor(),
    requestId: "req-1",
    idempotencyKey: over.key ?? "key-1",
  }) as Req;
const handler = () =>
  idempotent(
    route,
    () => ({ store, clock, expiresAfterSeconds: 3600 }),
    async (req) => {
      runs += 1;
      return answer(req);
    },
  );

beforeEach(() => {
  clock = new ManualClock();
  store = new MemoryIdempotencyStore();
  runs = 0;
  answer = async (req) => ({ status: 201, body: { name: req.body.name, n: runs } });
});

describe("idempotent()", () => {
  it("a retry with the same key and request gets the first answer, without running again", async () => {
    const h = handler();
    const first = await h(request(), context());
    const again = await h(request(), context());
    expect(again).toEqual(first);
    expect(runs).toBe(1);
    expect([...store.records.values()]).toEqual([
      expect.objectContaining({ status: "COMPLETED", response: first }),
    ]);
  });

  it("runs every request without the header, and stores nothing", async () => {
    const h = handler();
    const { idempotencyKey: _k, ...bare } = request();
    await h(bare as Req, context());
    await h(bare as Req, context());
    expect(runs).toBe(2);
    expect(store.records.size).toBe(0);
  });

  it("the same key with another request is 422 IDEMPOTENCY_KEY_REUSED, and nothing runs", async () => {
    const h = handler();
    await h(request({ name: "First" }), context());
    const err = await h(request({ name: "Second" }), context()).catch((e) => e);
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(runs).toBe(1);
  });

  it("one caller's key never answers for another caller", async () => {
    const h = handler();
    await h(request({ keyId: "key_a" }), context());
    await h(request({ keyId: "key_b" }), context());
    expect(runs).toBe(2);
  });

  it("while the first request runs, a retry is 409 IDEMPOTENCY_KEY_IN_USE", async () => {
    let finish: () => void = () => undefined;
    answer = () => new Promise((resolve) => (finish = () => resolve({ status: 201 })));
    const h = handler();
    const first = h(request(), context());
    await Promise.resolve();
    const err = await h(request(), context()).catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("IDEMPOTENCY_KEY_IN_USE");
    finish();
    await expect(first).resolves.toEqual({ status: 201 });
    expect(runs).toBe(1);
  });

  it("a key abandoned by a function that ran out of time is taken over", async () => {
    answer = () => new Promise(() => undefined); // never finishes: the function timed out
    const h = handler();
    void h(request(), context(5_000));
    await Promise.resolve();
    clock.advance(5_001);
    answer = async () => ({ status: 201, body: { second: true } });
    await expect(h(request(), context())).resolves.toEqual({ status: 201, body: { second: true } });
  });

  it("a failed request is not remembered: its retry runs again", async () => {
    answer = async () => {
      throw new UnprocessableError("ACCESS_DENIED", "not yet");
    };
    const h = handler();
    await expect(h(request(), context())).rejects.toThrow("not yet");
    answer = async () => ({ status: 201, body: { ok: true } });
    await expect(h(request(), context())).resolves.toEqual({ status: 201, body: { ok: true } });
    expect(runs).toBe(2);
  });

  it("a key is forgotten once it expires", async () => {
    const h = handler();
    await h(request({ name: "First" }), context());
    clock.advance(3601_000);
    await expect(h(request({ name: "Second" }), context())).resolves.toMatchObject({
      body: { name: "Second" },
    });
    expect(runs).toBe(2);
  });
});
