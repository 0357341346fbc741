/**
 * cpctl: the control plane from a shell. `credentials` prints the AWS `credential_process` JSON,
 * so any AWS SDK or the AWS CLI can use a tenant account through a profile:
 *
 *   [profile acme-prod]
 *   credential_process = node /path/to/dist/cpctl.js credentials --tenant tnt_... --account 012345678901 --permission-set read-only
 *
 * The API URL and key come from the environment (CONTROL_PLANE_URL, CONTROL_PLANE_API_KEY) or
 * from --api-key-file, never from the command line, where other users could read them.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ControlPlaneClient, ControlPlaneError } from "./index";

const USAGE = `usage: cpctl credentials --tenant <tenantId> --account <accountId> [--permission-set <name>]
                         [--duration <seconds>] [--region <region>] [--api-key-file <file>]
environment: CONTROL_PLANE_URL (default http://localhost:3000), CONTROL_PLANE_API_KEY`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "credentials") {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        tenant: { type: "string" },
        account: { type: "string" },
        "permission-set": { type: "string" },
        duration: { type: "string" },
        region: { type: "string" },
        "api-key-file": { type: "string" },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const apiKey = values["api-key-file"]
    ? readFileSync(values["api-key-file"], "utf8").trim()
    : env.CONTROL_PLANE_API_KEY;
  if (!values.tenant || !values.account || !apiKey) {
    process.stderr.write(`cpctl: --tenant, --account and an API key are required\n${USAGE}\n`);
    return 2;
  }
  const client = new ControlPlaneClient({
    baseUrl: env.CONTROL_PLANE_URL ?? "http://localhost:3000",
    apiKey,
  });
  try {
    const session = await client.createSession({
      tenantId: values.tenant,
      accountId: values.account,
      ...(values["permission-set"] ? { permissionSet: values["permission-set"] } : {}),
      ...(values.duration ? { durationSeconds: Number(values.duration) } : {}),
      ...(values.region ? { region: values.region } : {}),
    });
    // The credential_process contract: Version 1 and the four fields, on stdout, nothing else.
    process.stdout.write(
      `${JSON.stringify({
        Version: 1,
        AccessKeyId: session.credentials.accessKeyId,
        SecretAccessKey: session.credentials.secretAccessKey,
        SessionToken: session.credentials.sessionToken,
        Expiration: session.credentials.expiration,
      })}\n`,
    );
    return 0;
  } catch (err) {
    const message =
      err instanceof ControlPlaneError
        ? `${err.status} ${err.code}: ${err.message}`
        : (err as Error).message;
    process.stderr.write(`cpctl: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
