/**
 * cpctl: the control plane from a shell. `credentials` prints the AWS `credential_process` JSON,
 * so any AWS SDK or the AWS CLI can use a tenant account through a profile:
 *
 *   [profile acme-prod]
 *   credential_process = cpctl credentials --tenant tnt_... --account 012345678901 --permission-set read-only
 *
 * Sessions are cached per profile in the user's cache directory (src/cache.ts) and reused until
 * the refresh window before they expire. The API URL and key come from the environment
 * (CONTROL_PLANE_URL, CONTROL_PLANE_API_KEY) or from --api-key-file, never from the command line,
 * where other users could read them.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  cacheDirectory,
  cacheFile,
  type ProcessCredentials,
  readCached,
  writeCached,
} from "./cache";
import { ControlPlaneClient, ControlPlaneError, type ResponseOf } from "./client";

const USAGE = `usage: cpctl credentials --tenant <tenantId> --account <accountId> [--permission-set <name>]
                         [--duration <seconds>] [--region <region>] [--api-key-file <file>]
                         [--refresh-window <seconds>] [--no-cache] [--url <url>]
       cpctl profiles [--service-key-file <file>] [--prefix <text>] [--region <region>]
                      [--command <cpctl command>]      (AWS config profiles on stdout)
       cpctl whoami [--api-key-file <file>]
       cpctl health
environment: CONTROL_PLANE_URL (required), CONTROL_PLANE_API_KEY (or --api-key-file),
             CPCTL_CACHE_DIR (default: your cache directory)/cpctl`;

const NO_URL = `cpctl: CONTROL_PLANE_URL is not set. Set it to the control plane's API, e.g.
  export CONTROL_PLANE_URL=http://localhost:3000     # the local stack (npm start prints it)
  export CONTROL_PLANE_URL=$(aws cloudformation describe-stacks --stack-name cross-account-control-plane-prod --query "Stacks[0].Outputs[?OutputKey=='ServiceEndpoint'].OutputValue" --output text)`;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  now: () => number;
  /** For tests: the HTTP client. */
  fetch?: typeof fetch;
}

const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  now: Date.now,
};

function fail(io: Io, message: string, code = 2): number {
  io.stderr(`${message}\n`);
  return code;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Io = processIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!["credentials", "health", "whoami", "profiles"].includes(command ?? ""))
    return fail(io, USAGE);
  let values: Record<string, string | boolean | undefined>;
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
        "refresh-window": { type: "string" },
        "no-cache": { type: "boolean" },
        url: { type: "string" },
        "service-key-file": { type: "string" },
        prefix: { type: "string" },
        command: { type: "string" },
      },
      strict: true,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    return fail(io, `cpctl: ${(err as Error).message}\n${USAGE}`);
  }
  const baseUrl = (values.url as string | undefined) ?? env.CONTROL_PLANE_URL;
  if (!baseUrl) return fail(io, NO_URL);
  try {
    new URL(baseUrl);
  } catch {
    return fail(io, `cpctl: CONTROL_PLANE_URL is not a URL: ${baseUrl}`);
  }
  const str = (name: string) => values[name] as string | undefined;

  if (command === "health") {
    const client = new ControlPlaneClient({
      baseUrl,
      apiKey: "",
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    try {
      const health = await client.call("health");
      io.stdout(`${baseUrl}: ${JSON.stringify(health)}\n`);
      return 0;
    } catch (err) {
      return fail(io, `cpctl: ${(err as Error).message}`, 1);
    }
  }

  const keyFile = str("service-key-file") ?? str("api-key-file");
  let apiKey: string | undefined;
  try {
    apiKey = keyFile ? readFileSync(keyFile, "utf8").trim() : env.CONTROL_PLANE_API_KEY;
  } catch (err) {
    return fail(io, `cpctl: cannot read the API key file: ${(err as Error).message}`);
  }
  if (command === "whoami" || command === "profiles") {
    if (!apiKey)
      return fail(
        io,
        `cpctl: an API key is required (CONTROL_PLANE_API_KEY or --${command === "profiles" ? "service-key" : "api-key"}-file)`,
      );
    const client = new ControlPlaneClient({
      baseUrl,
      apiKey,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    try {
      const me = await client.call("whoami");
      if (command === "whoami") {
        const health = await client.call("health").then(
          (h) => JSON.stringify(h),
          (e: Error) => e.message,
        );
        io.stdout(whoamiText(baseUrl, health, me));
        return 0;
      }
      if (me.role !== "service") {
        return fail(
          io,
          `cpctl: profiles needs a service key; this key (${me.keyId}) is a ${me.role} key`,
        );
      }
      io.stdout(
        profilesText(me, {
          url: baseUrl,
          command: str("command") ?? "cpctl",
          prefix: str("prefix") ?? "",
          ...(str("region") ? { region: str("region") } : {}),
          ...(keyFile ? { keyFile: resolve(keyFile) } : {}),
        }),
      );
      return 0;
    } catch (err) {
      return fail(io, `cpctl: ${(err as Error).message}`, 1);
    }
  }
  if (!str("tenant") || !str("account") || !apiKey) {
    return fail(
      io,
      `cpctl: --tenant, --account and an API key (CONTROL_PLANE_API_KEY or --api-key-file) are required\n${USAGE}`,
    );
  }
  const refreshWindow = Number(str("refresh-window") ?? 300);
  if (!Number.isFinite(refreshWindow) || refreshWindow < 0) {
    return fail(io, "cpctl: --refresh-window is a number of seconds");
  }
  const profile = {
    url: baseUrl,
    tenant: str("tenant"),
    account: str("account"),
    permissionSet: str("permission-set"),
    duration: str("duration"),
    region: str("region"),
  };
  const useCache = values["no-cache"] !== true;
  const dir = cacheDirectory(env);
  const file = cacheFile(dir, profile, apiKey);
  if (useCache) {
    const cached = readCached(file, io.now(), refreshWindow * 1000);
    if (cached) {
      io.stdout(`${JSON.stringify(cached)}\n`);
      return 0;
    }
  }
  const client = new ControlPlaneClient({
    baseUrl,
    apiKey,
    ...(io.fetch ? { fetch: io.fetch } : {}),
  });
  try {
    const session = await client.createSession({
      tenantId: profile.tenant as string,
      accountId: profile.account as string,
      ...(profile.permissionSet ? { permissionSet: profile.permissionSet } : {}),
      ...(profile.duration ? { durationSeconds: Number(profile.duration) } : {}),
      ...(profile.region ? { region: profile.region } : {}),
    });
    // The credential_process contract: Version 1 and the four fields, on stdout, nothing else.
    const doc: ProcessCredentials = {
      Version: 1,
      AccessKeyId: session.credentials.accessKeyId,
      SecretAccessKey: session.credentials.secretAccessKey,
      SessionToken: session.credentials.sessionToken,
      Expiration: session.credentials.expiration,
    };
    if (useCache) {
      try {
        writeCached(file, dir, doc);
      } catch (err) {
        io.stderr(`cpctl: not cached (${(err as Error).message})\n`);
      }
    }
    io.stdout(`${JSON.stringify(doc)}\n`);
    return 0;
  } catch (err) {
    const message = err instanceof ControlPlaneError ? err.message : (err as Error).message;
    return fail(io, `cpctl: ${message}`, 1);
  }
}

type Me = ResponseOf<"whoami">;

function whoamiText(url: string, health: string, me: Me): string {
  const lines = [
    `URL:     ${url}`,
    `Health:  ${health}`,
    `Key:     ${me.keyId} (${me.role}${me.tenantId ? `, tenant ${me.tenantId}` : ""}${me.service ? `, service ${me.service}` : ""})`,
  ];
  for (const g of me.grants ?? []) {
    const reach =
      g.tenantId === "*"
        ? "every tenant"
        : `tenant ${g.tenantId}, ${g.accounts?.length ?? 0} account(s)${g.accountsTruncated ? " (more not listed)" : ""}`;
    lines.push(
      `Grant:   ${g.grantId}: ${reach}; permission sets ${g.permissionSets.join(", ") || "(none)"}`,
    );
  }
  if (me.role === "service" && (me.grants ?? []).length === 0) lines.push("Grant:   none yet");
  return `${lines.join("\n")}\n`;
}

/**
 * AWS config profiles, one per granted tenant account and permission set, each a
 * credential_process of cpctl with the same URL and key file.
 */
/** A word of a credential_process line, quoted when it has spaces (as the AWS CLI splits it). */
const word = (s: string) => (/[\s"]/.test(s) ? `"${s.replaceAll('"', '\\"')}"` : s);

function profilesText(
  me: Me,
  o: { url: string; command: string; prefix: string; region?: string; keyFile?: string },
): string {
  const out = [`# AWS profiles for service ${me.service} at ${o.url}, written by cpctl profiles`];
  for (const g of me.grants ?? []) {
    if (g.tenantId === "*") {
      out.push(
        `# ${g.grantId} covers every tenant: add profiles for the accounts you need with cpctl credentials --tenant ... --account ...`,
      );
      continue;
    }
    for (const a of g.accounts ?? []) {
      if (a.status !== "VERIFIED") {
        out.push(`# ${g.tenantId} ${a.accountId}: skipped, its status is ${a.status}`);
        continue;
      }
      const sets = g.permissionSets.length > 0 ? g.permissionSets : [undefined];
      for (const set of sets) {
        const args = [
          "credentials",
          `--url ${o.url}`,
          `--tenant ${g.tenantId}`,
          `--account ${a.accountId}`,
          ...(set ? [`--permission-set ${set}`] : []),
          ...(o.keyFile ? [`--api-key-file ${word(o.keyFile)}`] : []),
        ];
        const region = o.region ?? a.regions[0];
        out.push(
          "",
          `[profile ${o.prefix}${g.tenantId}-${a.accountId}${set ? `-${set}` : ""}]`,
          ...(a.frozen ? ["# frozen by the emergency brake: no session until it is unfrozen"] : []),
          `credential_process = ${o.command} ${args.join(" ")}`,
          ...(region ? [`region = ${region}`] : []),
        );
      }
    }
    if (g.accountsTruncated)
      out.push(`# ${g.grantId}: more accounts than listed; add the rest by hand`);
  }
  return `${out.join("\n")}\n`;
}
