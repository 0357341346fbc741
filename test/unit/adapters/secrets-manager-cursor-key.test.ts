import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { SecretsManagerCursorKey } from "../../../shared/adapters/secrets-manager-cursor-key";
import { ConfigError } from "../../../shared/config";
import { ServiceUnavailableError } from "../../../shared/errors";

const sm = mockClient(SecretsManagerClient);
// mockClient patched the class itself: later files of this worker share it (vitest.config.ts).
afterAll(() => sm.restore());
const SECRET = "k".repeat(64);
const key = () => new SecretsManagerCursorKey(new SecretsManagerClient({}), "arn:secret");

const failure = (name: string, fault: "client" | "server") =>
  Object.assign(new Error(name), { name, $fault: fault, $metadata: {} });

beforeEach(() => sm.reset());

describe("SecretsManagerCursorKey", () => {
  it("reads the secret once per container and keeps it", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const k = key();
    const [a, b] = await Promise.all([k.key(), k.key()]);
    expect(Buffer.from(a).toString()).toBe(SECRET);
    expect(b).toBe(a);
    await k.key();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: "arn:secret",
    });
  });

  it("does not keep a failure: a throttled read is a 503, and the next request reads again", async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(failure("ThrottlingException", "client"))
      .resolves({ SecretString: SECRET });
    const k = key();
    await expect(k.key()).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(k.key()).resolves.toBeInstanceOf(Uint8Array);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    ["a secret it may not read", failure("AccessDeniedException", "client"), ConfigError],
    ["no such secret", failure("ResourceNotFoundException", "client"), ConfigError],
    ["Secrets Manager failing", failure("InternalServiceError", "server"), ServiceUnavailableError],
  ])("%s: %s", async (_name, err, expected) => {
    sm.on(GetSecretValueCommand).rejects(err);
    await expect(key().key()).rejects.toBeInstanceOf(expected);
  });

  it("refuses a secret shorter than 32 characters", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: "short" });
    await expect(key().key()).rejects.toBeInstanceOf(ConfigError);
  });
});
