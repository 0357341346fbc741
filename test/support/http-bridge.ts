import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApiRequest, api } from "./api";

/**
 * The in-process handlers behind a real HTTP listener, for clients that speak HTTP (the client
 * package, its credential provider): each request is routed as API Gateway would (`api()`), so
 * every function runs under its own role and every answer is checked against the OpenAPI document.
 */
export async function serveApi(): Promise<{
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      count += 1;
      const url = new URL(req.url ?? "/", "http://bridge");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const body = Buffer.concat(chunks).toString("utf8");
      const query = Object.fromEntries(url.searchParams);
      api({
        method: req.method as ApiRequest["method"],
        path: url.pathname,
        headers,
        ...(body ? { rawBody: body } : {}),
        ...(Object.keys(query).length > 0 ? { query } : {}),
      }).then(
        (out) => {
          res.writeHead(out.status, out.headers);
          res.end(out.body === undefined ? "" : JSON.stringify(out.body));
        },
        (err: Error) => {
          res.writeHead(599);
          res.end(JSON.stringify({ bridgeError: err.message }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
