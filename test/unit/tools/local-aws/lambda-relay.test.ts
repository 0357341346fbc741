import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EVENT_CONCURRENCY,
  type LambdaRelay,
  plainFunctionName,
  startLambdaRelay,
} from "../../../../tools/local-aws/lambda-relay";

/**
 * The relay (tools/local-aws/lambda-relay.ts) between the functions' LambdaClient and a stand-in
 * for serverless-offline's invoke endpoint, on loopback.
 */

interface Received {
  name: string;
  invocationType: string | undefined;
  payload: string;
}

/** serverless-offline's invoke endpoint, as far as the relay uses it. */
async function standIn() {
  const received: Received[] = [];
  const answered: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const server = createServer((req, res) => {
    const name = decodeURIComponent(
      /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? "")?.[1] ?? "",
    );
    let body = "";
    req.on("data", (c) => {
      body += String(c);
    });
    req.on("end", async () => {
      const invocationType = req.headers["x-amz-invocation-type"] as string | undefined;
      received.push({ name, invocationType, payload: body });
      running++;
      maxRunning = Math.max(maxRunning, running);
      // "slow" runs until the test lets it finish.
      if (name === "cp-local-slow") await gate;
      running--;
      answered.push(name);
      if (name === "cp-local-failing") {
        res
          .writeHead(200, { "X-Amz-Function-Error": "Unhandled" })
          .end(JSON.stringify({ errorMessage: "boom", errorType: "Error" }));
        return;
      }
      res.writeHead(200).end(JSON.stringify({ echo: body ? JSON.parse(body) : null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    received,
    answered,
    maxRunning: () => maxRunning,
    open: () => release(),
  };
}

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decode = (b: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(b)) as unknown;

describe("the Lambda relay", () => {
  let offline: Awaited<ReturnType<typeof standIn>>;
  let relay: LambdaRelay;
  let client: LambdaClient;

  beforeEach(async () => {
    offline = await standIn();
    // Long enough for the test of a drain that waits (200 ms), short for the one that gives up.
    relay = await startLambdaRelay({ lambdaPort: offline.port, drainMs: 1000 });
    client = new LambdaClient({
      endpoint: relay.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    offline.open();
    client.destroy();
    await relay.stop();
    offline.server.closeAllConnections();
    await new Promise((r) => offline.server.close(r));
    vi.restoreAllMocks();
  });

  it("answers an Event invocation 202 at once, then runs it with the same payload and the plain name", async () => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:cp-local-slow",
        InvocationType: "Event",
        Payload: encode({ n: 1 }),
      }),
    );
    expect(out.StatusCode).toBe(202);
    expect(out.Payload?.length ?? 0).toBe(0);
    // The stand-in has not answered yet: it waits for the gate.
    expect(offline.answered).toEqual([]);
    await vi.waitFor(() => expect(offline.received).toHaveLength(1));
    expect(offline.received[0]).toEqual({
      name: "cp-local-slow",
      invocationType: "RequestResponse",
      payload: JSON.stringify({ n: 1 }),
    });
    offline.open();
    await vi.waitFor(() => expect(offline.answered).toEqual(["cp-local-slow"]));
  });

  it("forwards a RequestResponse invocation and returns offline's payload", async () => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: "cp-local-echo",
        InvocationType: "RequestResponse",
        Payload: encode({ hello: "world" }),
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ echo: { hello: "world" } });
    expect(offline.received).toEqual([
      {
        name: "cp-local-echo",
        invocationType: "RequestResponse",
        payload: JSON.stringify({ hello: "world" }),
      },
    ]);
  });

  it("returns a function's error to a synchronous caller (X-Amz-Function-Error)", async () => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: "123456789012:function:cp-local-failing",
        InvocationType: "RequestResponse",
        Payload: encode({}),
      }),
    );
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out.Payload)).toMatchObject({ errorMessage: "boom" });
    expect(offline.received[0]?.name).toBe("cp-local-failing");
  });

  it("logs a failing function's Event invocation and keeps serving", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const out = await client.send(
      new InvokeCommand({
        FunctionName: "cp-local-failing",
        InvocationType: "Event",
        Payload: encode({ n: 2 }),
      }),
    );
    expect(out.StatusCode).toBe(202);
    await vi.waitFor(() =>
      expect(errors).toHaveBeenCalledWith(expect.stringMatching(/cp-local-failing failed.*boom/)),
    );
    const again = await client.send(
      new InvokeCommand({ FunctionName: "cp-local-echo", Payload: encode(3) }),
    );
    expect(decode(again.Payload)).toEqual({ echo: 3 });
  });

  it("logs an Event invocation that cannot reach offline, without crashing", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const lonely = await startLambdaRelay({ lambdaPort: port });
    try {
      const out = await new LambdaClient({
        endpoint: lonely.url,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        maxAttempts: 1,
      }).send(new InvokeCommand({ FunctionName: "cp-local-echo", InvocationType: "Event" }));
      expect(out.StatusCode).toBe(202);
      await vi.waitFor(() =>
        expect(errors).toHaveBeenCalledWith(
          expect.stringMatching(/could not invoke cp-local-echo/),
        ),
      );
      expect(lonely.server.listening).toBe(true);
    } finally {
      await lonely.stop();
    }
  });

  it(`runs at most ${EVENT_CONCURRENCY} Event invocations at once, and all of them`, async () => {
    const n = EVENT_CONCURRENCY + 3;
    for (let i = 0; i < n; i++)
      await client.send(
        new InvokeCommand({
          FunctionName: "cp-local-slow",
          InvocationType: "Event",
          Payload: encode({ i }),
        }),
      );
    await vi.waitFor(() => expect(offline.received).toHaveLength(EVENT_CONCURRENCY));
    await new Promise((r) => setTimeout(r, 100));
    expect(offline.received).toHaveLength(EVENT_CONCURRENCY);
    offline.open();
    await vi.waitFor(() => expect(offline.answered).toHaveLength(n));
    expect(offline.maxRunning()).toBe(EVENT_CONCURRENCY);
    expect(offline.received.map((r) => JSON.parse(r.payload)).sort((a, b) => a.i - b.i)).toEqual(
      Array.from({ length: n }, (_, i) => ({ i })),
    );
  });

  it("answers 404 with JSON to anything but an invocation", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["POST", "/2015-03-31/functions/cp-local-echo"],
      ["GET", "/2015-03-31/functions/cp-local-echo/invocations"],
    ] as const) {
      const res = await fetch(`${relay.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toMatchObject({ message: expect.any(String) });
    }
    expect(offline.received).toEqual([]);
  });

  it("stop() waits for the Event invocations in flight, then closes", async () => {
    await client.send(
      new InvokeCommand({
        FunctionName: "cp-local-slow",
        InvocationType: "Event",
        Payload: encode(1),
      }),
    );
    await vi.waitFor(() => expect(offline.received).toHaveLength(1));
    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toBe(false);
    offline.open();
    await stopping;
    expect(offline.answered).toEqual(["cp-local-slow"]);
    expect(relay.server.listening).toBe(false);
    await expect(fetch(`${relay.url}/`)).rejects.toThrow();
  });

  it("stop() gives up on an invocation that does not finish within its drain time", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await client.send(
      new InvokeCommand({
        FunctionName: "cp-local-slow",
        InvocationType: "Event",
        Payload: encode(1),
      }),
    );
    await vi.waitFor(() => expect(offline.received).toHaveLength(1));
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(relay.server.listening).toBe(false);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/dropped/));
  });
});

describe("plainFunctionName", () => {
  it.each([
    ["cp-local-echo", "cp-local-echo"],
    ["cp-local-echo:live", "cp-local-echo"],
    ["123456789012:function:cp-local-echo", "cp-local-echo"],
    ["arn:aws:lambda:us-east-1:123456789012:function:cp-local-echo", "cp-local-echo"],
    ["arn:aws:lambda:us-east-1:123456789012:function:cp-local-echo:$LATEST", "cp-local-echo"],
    // serverless-offline's context.invokedFunctionArn
    ["offline_invokedFunctionArn_for_cp-local-echo", "cp-local-echo"],
  ])("%s -> %s", (given, plain) => {
    expect(plainFunctionName(given)).toBe(plain);
  });
});
