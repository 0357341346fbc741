import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { dynamoClient } from "../../scripts/local-stack";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { DynamoOrganizationJobStore } from "../../shared/adapters/dynamo-organization-job-store";
import { keys } from "../../shared/adapters/table";
import { emptyProgress, type OrganizationJob } from "../../shared/domain/organization-job";
import { endpoint, useFreshTable } from "../support/table";

/**
 * The organization job's record and saved state on the emulator: the lease and its fencing
 * sequence, and the state compressed into chunks (small ones here, so that a state spans several),
 * replaced whole at each save, and dropped when the job is done.
 */
let table: string;
const doc = () => createDocumentClient(dynamoClient(endpoint()));
const TENANT = "tnt_jobstore";

const newJob = (jobId: string): OrganizationJob => ({
  tenantId: TENANT,
  jobId,
  kind: "SYNC",
  status: "RUNNING",
  phase: "LISTING",
  startedAt: "2026-12-03T10:00:00.000Z",
  updatedAt: "2026-12-03T10:00:00.000Z",
  progress: emptyProgress(),
  failures: [],
  invocations: 0,
  seq: 0,
  leaseUntilMs: 1_000,
});

/** A walk's state as large as an organization of `n` accounts makes it. */
const stateOf = (n: number) => ({
  walk: {
    phase: "ACCOUNTS",
    members: Array.from({ length: n }, (_, i) => ({
      accountId: String(300_000_000_000 + i * 7919),
      state: i % 50 === 49 ? "SUSPENDED" : "ACTIVE",
    })),
  },
  register: [],
});

async function chunkKeys(): Promise<string[]> {
  const out = await doc().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)",
      ExpressionAttributeValues: { ":pk": keys.tenantPartition(TENANT), ":p": "ORGJOB#STATE#" },
    }),
  );
  return (out.Items ?? []).map((i) => i.SK as string);
}

beforeAll(async () => {
  table = await useFreshTable("orgjobs");
});

describe("DynamoOrganizationJobStore on the emulator", () => {
  it("starts a job only in place of the one read", async () => {
    const store = new DynamoOrganizationJobStore(doc(), table);
    expect(await store.start(newJob("job_a"), undefined)).toBe(true);
    expect(await store.start(newJob("job_b"), undefined)).toBe(false); // one exists
    expect(await store.start(newJob("job_b"), "job_x")).toBe(false); // not the one read
    expect(await store.start(newJob("job_b"), "job_a")).toBe(true);
    expect((await store.get(TENANT))?.jobId).toBe("job_b");
  });

  it("the lease: taken when free or expired, or by its chain's next link at its sequence, once", async () => {
    const store = new DynamoOrganizationJobStore(doc(), table);
    await store.start(newJob("job_c"), (await store.get(TENANT))?.jobId);
    const first = await store.acquire(TENANT, "job_c", "chain-1", undefined, 2_000, 10_000);
    expect(first).toMatchObject({ holder: "chain-1", seq: 1, leaseUntilMs: 10_000 });
    // Held: another chain, or a link of another job, is refused.
    expect(
      await store.acquire(TENANT, "job_c", "chain-2", undefined, 3_000, 20_000),
    ).toBeUndefined();
    expect(await store.acquire(TENANT, "job_old", "chain-1", 1, 3_000, 20_000)).toBeUndefined();
    // The chain's next link, at the sequence it was handed; delivered twice, it runs once.
    expect(await store.acquire(TENANT, "job_c", "chain-1", 1, 3_000, 20_000)).toMatchObject({
      seq: 2,
    });
    expect(await store.acquire(TENANT, "job_c", "chain-1", 1, 3_000, 20_000)).toBeUndefined();
    // Expired: a new chain takes it, and the old one's saves are refused.
    const taken = await store.acquire(TENANT, "job_c", "chain-2", undefined, 30_000, 40_000);
    expect(taken).toMatchObject({ holder: "chain-2", seq: 3 });
    expect(await store.save({ ...(first as OrganizationJob), seq: 2 }, undefined)).toBe(false);
    expect(await store.save(taken as OrganizationJob, undefined)).toBe(true);
  });

  it("saves the state in compressed chunks, replaced whole at each save, dropped when done", async () => {
    // Chunks of 4 KB: a walk of 5,000 members spans several.
    const store = new DynamoOrganizationJobStore(doc(), table, 4_096);
    await store.start(newJob("job_d"), (await store.get(TENANT))?.jobId);
    let job = (await store.acquire(
      TENANT,
      "job_d",
      "chain",
      undefined,
      2_000,
      10_000,
    )) as OrganizationJob;
    const big = stateOf(5_000);
    expect(await store.save(job, big)).toBe(true);
    const bytes = DynamoOrganizationJobStore.stateBytes(job);
    const rawBytes = JSON.stringify(big).length;
    expect(bytes).toBeLessThan(rawBytes / 3); // gzip
    const first = await chunkKeys();
    expect(first.length).toBe(Math.ceil(bytes / 4_096));
    expect(first.length).toBeGreaterThan(1);
    // Read back by the next link, whole.
    job = (await store.acquire(
      TENANT,
      "job_d",
      "chain",
      job.seq,
      3_000,
      20_000,
    )) as OrganizationJob;
    expect(await store.loadState(job)).toEqual(big);

    // The next save replaces the chunks; the old ones are gone.
    const small = stateOf(10);
    expect(await store.save(job, small)).toBe(true);
    const second = await chunkKeys();
    expect(second).toHaveLength(1);
    expect(second.some((k) => first.includes(k))).toBe(false);
    expect(await store.loadState((await store.get(TENANT)) as OrganizationJob)).toEqual(small);

    // A save that lost the lease changes nothing that is read.
    const stale = { ...job, holder: "someone-else" };
    expect(await store.save(stale, stateOf(20))).toBe(false);
    expect(await store.loadState((await store.get(TENANT)) as OrganizationJob)).toEqual(small);

    // Done: the job keeps its record, not its state.
    expect(
      await store.save({ ...job, status: "SUCCEEDED", phase: "DONE", finishedAt: "x" }, undefined),
    ).toBe(true);
    expect(await store.loadState((await store.get(TENANT)) as OrganizationJob)).toBeUndefined();
    // Only the lost save's chunk stays, and it expires (TTL).
    expect(await chunkKeys()).toHaveLength(1);
  });
});
