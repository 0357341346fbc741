import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError } from "../config";
import { ServiceUnavailableError } from "../errors";
import type { CursorKey } from "../ports/common";

/** Shortest secret accepted as a cursor key: 32 characters (CloudFormation generates 64). */
const isThrottling = (err: unknown) =>
  /Throttl|TooManyRequests|RequestLimitExceeded/.test((err as Error).name ?? "");

const MIN_SECRET_LENGTH = 32;

/**
 * The cursor key from a Secrets Manager secret (CloudFormation generates it: infra/control-plane/
 * table.yml), read once per container and kept in memory only. A failed read is not cached: the
 * request gets a 503 and the next one tries again. The key never appears in logs or in the table.
 */
export class SecretsManagerCursorKey implements CursorKey {
  private cached: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  key(): Promise<Uint8Array> {
    this.cached ??= this.fetch().catch((err: unknown) => {
      this.cached = undefined;
      throw err;
    });
    return this.cached;
  }

  private async fetch(): Promise<Uint8Array> {
    let secret: string | undefined;
    try {
      secret = (await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId })))
        .SecretString;
    } catch (err) {
      // Refused (no permission, no such secret): the deployment is wrong, not busy. A 500 that
      // the server-errors alarm counts, not a 503 that clients retry forever.
      if ((err as { $fault?: string }).$fault === "client" && !isThrottling(err))
        throw new ConfigError(
          `The cursor key secret cannot be read (${(err as Error).name}): check CURSOR_KEY_SECRET_ARN and the function's role`,
        );
      throw new ServiceUnavailableError("The cursor key could not be read; retry shortly", {
        retryAfterSeconds: 1,
        cause: err,
      });
    }
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH)
      throw new ConfigError(
        `The cursor key secret must hold at least ${MIN_SECRET_LENGTH} characters`,
      );
    return new Uint8Array(Buffer.from(secret, "utf8"));
  }
}
