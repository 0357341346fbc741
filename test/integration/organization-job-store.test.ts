import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoAccountStore } from "../../shared/adapters/dynamo-account-store";
import { createDocumentClient } from "../../shared/adapters/dynamo-client";
import { DynamoOrganizationJobStore } from "../../shared/adapters/dynamo-organization-job-store";
import { DynamoTenantStore } from "../../shared/adapters/dynamo-tenant-store";
import { keys } from "../../shared/adapters/table";
import type { Account } from "../../shared/domain/account";
import { OrganizationJobLostError } from "../../shared/domain/errors";
import { emptyProgress, type OrganizationJob } from "../../shared/domain/organization-job";
import { dynamoClient } from "../../tools/local-aws/local-stack";
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

/** The tenant's connection item, as connect writes it (a job starts only while it is there). */
const putConnection = () =>
  doc().send(
    new PutCommand({
      TableName: table,
      Item: { ...keys.organization(TENANT), type: "ORGANIZATION", tenantId: TENANT, version: 1 },
    }),
  );

describe("DynamoOrganizationJobStore on the emulator", () => {
  it("starts a job only in place of the one read, and only for a connection not being disconnected", async () => {
    const store = new DynamoOrganizationJobStore(doc(), table);
    expect(await store.start(newJob("job_a"), undefined)).toBe(false); // no connection
    await putConnection();
    await doc().send(
      new UpdateCommand({
        TableName: table,
        Key: keys.organization(TENANT),
        UpdateExpression: "SET disconnecting = :at",
        ExpressionAttributeValues: { ":at": "2026-12-03T10:00:00.000Z" },
      }),
    );
    expect(await store.start(newJob("job_a"), undefined)).toBe(false); // being disconnected
    await putConnection();
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

  it("guards account writes with the job's lease: refused, writing nothing, once the job is gone or taken", async () => {
    const tenants = new DynamoTenantStore(doc(), table);
    const tenantId = "tnt_guarded";
    await tenants.create({
      tenantId,
      name: "Guarded",
      status: "ACTIVE",
      externalId: {
        current: "cpx-guarded-00000000000000000000000",
        currentSince: "2026-12-03T10:00:00.000Z",
      },
      createdAt: "2026-12-03T10:00:00.000Z",
      updatedAt: "2026-12-03T10:00:00.000Z",
      version: 1,
    });
    await doc().send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.organization(tenantId), type: "ORGANIZATION", tenantId, version: 1 },
      }),
    );
    const store = new DynamoOrganizationJobStore(doc(), table);
    await store.start({ ...newJob("job_g"), tenantId }, undefined);
    const job = (await store.acquire(
      tenantId,
      "job_g",
      "c",
      undefined,
      2_000,
      9_000,
    )) as OrganizationJob;
    const guard = { organizationJob: { tenantId, jobId: "job_g", holder: "c", seq: job.seq } };
    const accounts = new DynamoAccountStore(doc(), table);
    const account = (id: string, version: number): Account => ({
      tenantId,
      accountId: id,
      roleArn: `arn:aws:iam::${id}:role/Access`,
      partition: "aws",
      regions: [],
      status: "VERIFIED",
      lastVerification: { at: "x" },
      source: { kind: "organization", managementAccountId: "999999999999" },
      createdAt: "x",
      updatedAt: "x",
      version,
    });
    await accounts.put(account("300000000001", 1), undefined, guard); // holds: written
    // Another chain takes the lease (expired): this one's writes are refused, create and update.
    await store.acquire(tenantId, "job_g", "other", undefined, 10_000, 20_000);
    await expect(accounts.put(account("300000000002", 1), undefined, guard)).rejects.toBeInstanceOf(
      OrganizationJobLostError,
    );
    await expect(accounts.put(account("300000000001", 2), 1, guard)).rejects.toBeInstanceOf(
      OrganizationJobLostError,
    );
    expect(await accounts.get(tenantId, "300000000002")).toBeUndefined();
    expect((await accounts.get(tenantId, "300000000001"))?.version).toBe(1);
    // And once the job is deleted (disconnect).
    await store.delete(tenantId);
    const other = {
      organizationJob: { ...guard.organizationJob, holder: "other", seq: job.seq + 1 },
    };
    await expect(accounts.put(account("300000000003", 1), undefined, other)).rejects.toBeInstanceOf(
      OrganizationJobLostError,
    );
  });
});
