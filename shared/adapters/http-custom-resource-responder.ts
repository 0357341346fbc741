import type { CustomResourceResponder } from "../ports/accounts";

/**
 * PUTs the answer to CloudFormation's pre-signed S3 URL. The URL is signed without a content
 * type, so none is sent. A few retries: an unanswered custom resource blocks the stack for an hour.
 */
export class HttpCustomResourceResponder implements CustomResourceResponder {
  constructor(private readonly options: { attempts?: number; timeoutMs?: number } = {}) {}

  async send(responseUrl: string, body: string): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fetch(responseUrl, {
          method: "PUT",
          body,
          headers: { "content-type": "" },
          redirect: "error",
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        if (res.ok) return;
        lastError = new Error(`ResponseURL answered ${res.status}`);
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** i));
    }
    throw lastError;
  }
}
