import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, platform } from "node:os";
import { join } from "node:path";

/** The credential_process document (AWS CLI and SDKs): version 1, the key, and its expiry. */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/**
 * Where cpctl keeps sessions between runs: `CPCTL_CACHE_DIR`, else the platform's cache
 * directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows) under `cpctl`.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  if (env.CPCTL_CACHE_DIR) return env.CPCTL_CACHE_DIR;
  if (platform() === "darwin") return join(homedir(), "Library", "Caches", "cpctl");
  if (platform() === "win32" && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "cpctl", "cache");
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cpctl");
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * One file per profile: the API, the key (by its hash: the cache holds no API key) and every
 * parameter of the session, so that two profiles never share credentials.
 */
export function cacheFile(
  dir: string,
  profile: Record<string, string | undefined>,
  apiKey: string,
) {
  const id = sha256(JSON.stringify({ ...profile, key: sha256(apiKey) }));
  return join(dir, `${id}.json`);
}

/** The cached document when it is still good for longer than the refresh window. */
export function readCached(
  file: string,
  nowMs: number,
  refreshWindowMs: number,
): ProcessCredentials | undefined {
  let doc: ProcessCredentials;
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as ProcessCredentials;
  } catch {
    return undefined;
  }
  const expires = Date.parse(doc.Expiration);
  if (doc.Version !== 1 || !doc.AccessKeyId || !doc.SessionToken || Number.isNaN(expires))
    return undefined;
  return expires - nowMs > refreshWindowMs ? doc : undefined;
}

/** Writes readable by the user only (0600 in a 0700 directory), atomically (rename). */
export function writeCached(file: string, dir: string, doc: ProcessCredentials): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 });
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}
