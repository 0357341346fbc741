/**
 * The Lambda Invoke API for the functions of the local stack. The functions' AWS SDK calls go to
 * the emulator (AWS_ENDPOINT_URL), which cannot run Node functions; npm start points their Lambda
 * calls here instead (AWS_ENDPOINT_URL_LAMBDA), and this relay runs them in serverless-offline.
 *
 * An asynchronous invocation (`X-Amz-Invocation-Type: Event`) is answered 202 at once, as Lambda
 * does, and then run in serverless-offline synchronously: serverless-offline's own asynchronous
 * invocation lost one run in three (see tools/local-aws/registration-relay.ts). At most
 * EVENT_CONCURRENCY run at once; the rest wait their turn. Any other invocation is forwarded as it
 * is, and offline's answer returned.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvocationType, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import pLimit from "p-limit";
import { LOCAL_REGION } from "./local-stack";

/** Asynchronous invocations that run in serverless-offline at the same time. */
export const EVENT_CONCURRENCY = 4;
/** Lambda's limit for a synchronous invocation's payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** The headers of offline's answer that the SDK reads. */
const FORWARDED_RESPONSE_HEADERS = [
  "content-type",
  "x-amz-function-error",
  "x-amzn-errortype",
  "x-amz-executed-version",
  "x-amz-log-result",
];
/** The request headers offline reads. */
const FORWARDED_REQUEST_HEADERS = [
  "content-type",
  "x-amz-invocation-type",
  "x-amz-client-context",
  "x-amz-log-type",
];

/**
 * The plain function name serverless-offline knows, from any name the Invoke API accepts: a name,
 * `name:qualifier`, `<account>:function:<name>` or `arn:aws:lambda:<region>:<account>:function:<name>`
 * (offline has no versions or aliases, so a qualifier is dropped). Inside serverless-offline a
 * function's `context.invokedFunctionArn` is `offline_invokedFunctionArn_for_<name>`, not an ARN;
 * a function that invokes itself by it (functions/health/healthSweep.ts) reaches itself too.
 */
export function plainFunctionName(functionName: string): string {
  const offline = /^offline_invokedFunctionArn_for_(.+)$/.exec(functionName);
  if (offline?.[1]) return offline[1];
  const match =
    /^(?:arn:[\w-]+:lambda:[\w-]+:\d{12}:function:|\d{12}:function:)?([\w-]+)(?::[\w$-]+)?$/.exec(
      functionName,
    );
  return match?.[1] ?? functionName;
}

export interface LambdaRelay {
  url: string;
  server: Server;
  /** Waits for the asynchronous invocations still running or queued (at most drainMs), then closes. */
  stop(): Promise<void>;
}

export async function startLambdaRelay(opts: {
  /** serverless-offline's Lambda port (its `lambdaPort`). */
  lambdaPort: number;
  log?: (line: string) => void;
  /** How long stop() waits for asynchronous invocations in flight; 5 s unless given. */
  drainMs?: number;
}): Promise<LambdaRelay> {
  const offline = `http://127.0.0.1:${opts.lambdaPort}`;
  const lambda = new LambdaClient({
    endpoint: offline,
    region: LOCAL_REGION,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const limit = pLimit(EVENT_CONCURRENCY);
  const inFlight = new Set<Promise<void>>();
  const aborts = new AbortController();
  let stopping = false;

  const runEvent = async (name: string, payload: Buffer, clientContext: string | undefined) => {
    try {
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: InvocationType.RequestResponse,
          Payload: payload,
          ...(clientContext ? { ClientContext: clientContext } : {}),
        }),
        { abortSignal: aborts.signal },
      );
      if (out.FunctionError) {
        const detail = new TextDecoder().decode(out.Payload).slice(0, 2000);
        console.error(`lambda relay: ${name} failed (${out.FunctionError}): ${detail}`);
      } else opts.log?.(`ran ${name} (Event)`);
    } catch (err) {
      console.error(`lambda relay: could not invoke ${name}: ${(err as Error).message}`);
    }
  };

  const enqueueEvent = (name: string, payload: Buffer, clientContext: string | undefined) => {
    const task = limit(() => runEvent(name, payload, clientContext));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  const forward = async (
    name: string,
    req: IncomingMessage,
    body: Buffer,
    query: string,
    res: ServerResponse,
  ) => {
    const headers: Record<string, string> = {};
    for (const h of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    let answer: Response;
    try {
      answer = await fetch(
        `${offline}/2015-03-31/functions/${encodeURIComponent(name)}/invocations${query}`,
        {
          method: "POST",
          headers,
          body,
        },
      );
    } catch (err) {
      console.error(`lambda relay: could not invoke ${name}: ${(err as Error).message}`);
      return sendJson(
        res,
        502,
        { message: `serverless-offline did not answer: ${(err as Error).message}` },
        "ServiceException",
      );
    }
    const out: Record<string, string> = {};
    for (const h of FORWARDED_RESPONSE_HEADERS) {
      const v = answer.headers.get(h);
      if (v !== null) out[h] = v;
    }
    const payload = Buffer.from(await answer.arrayBuffer());
    res.writeHead(answer.status, { ...out, "content-length": String(payload.length) }).end(payload);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://relay");
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== "POST" || !match?.[1]) {
      req.resume();
      return sendJson(
        res,
        404,
        { message: `No such operation: ${req.method} ${url.pathname}` },
        "UnknownOperationException",
      );
    }
    let name: string;
    try {
      name = plainFunctionName(decodeURIComponent(match[1]));
    } catch {
      req.resume();
      return sendJson(res, 400, { message: "Bad function name" }, "InvalidParameterValueException");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(c);
    });
    req.on("error", () => undefined);
    req.on("end", () => {
      if (size > MAX_PAYLOAD_BYTES)
        return sendJson(res, 413, { message: "Payload too large" }, "RequestTooLargeException");
      if (stopping)
        return sendJson(res, 503, { message: "The local stack is stopping" }, "ServiceException");
      const body = Buffer.concat(chunks);
      const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
      if (type === "Event") {
        // Lambda's answer to an asynchronous invocation: accepted, nothing more.
        res.writeHead(202, { "content-length": "0" }).end();
        const clientContext = req.headers["x-amz-client-context"];
        enqueueEvent(name, body, typeof clientContext === "string" ? clientContext : undefined);
        return;
      }
      void forward(name, req, body, url.search, res).catch((err: Error) => {
        console.error(`lambda relay: ${name}: ${err.message}`);
        if (!res.headersSent) sendJson(res, 500, { message: err.message }, "ServiceException");
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise((r) => {
            timer = setTimeout(r, opts.drainMs ?? 5000);
          }),
        ]);
        clearTimeout(timer);
      }
      if (inFlight.size > 0) {
        console.error(
          `lambda relay: stopping with ${limit.activeCount} asynchronous invocation(s) running and ${limit.pendingCount} queued; they are dropped`,
        );
        limit.clearQueue();
        aborts.abort();
      }
      server.closeAllConnections();
      await closed;
      lambda.destroy();
    })();
    return stopped;
  };

  return { url: `http://127.0.0.1:${port}`, server, stop };
}

function sendJson(res: ServerResponse, status: number, body: object, errorType: string): void {
  const text = JSON.stringify({ Type: "User", ...body });
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      "x-amzn-errortype": errorType,
    })
    .end(text);
}
