/**
 * `npm run backfill-index`: gives every item of a sharded list (tenants, accounts, API keys,
 * grants, organizations) the index keys the deployment's shard count computes
 * (shared/adapters/sharded-index.ts; accounts also get their spread sort key). Run it after deploying the sharded index over a table
 * written before it (the lists were one partition each: GSI1PK TENANT, ACCOUNT, ...), and after
 * changing INDEX_SHARDS. Until it finishes, lists miss the items it has not moved yet.
 *
 *   npm run backfill-index -- --table <name> [--shards 16] [--writes-per-second 200]
 *                             [--checkpoint <file>] [--dry-run]
 *   npm run backfill-index -- --local          (the table of the running local stack)
 *
 * Idempotent: an item whose key is already right is not written, so a second run writes nothing.
 * Resumable: after each page of the Scan, the position is saved in the checkpoint file; a run
 * that finds an unfinished one goes on from there (delete it to start over); after a finished
 * one, a run is a new pass. Each move is one conditional
 * UpdateItem (the item must still have the key that was read), so the script never overwrites a
 * change the control plane makes meanwhile. Paced: writes per second are capped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  ScanCommand,
  type ScanCommandOutput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import pLimit from "p-limit";
import pThrottle from "p-throttle";
import {
  desiredIndexKeys,
  indexShardCount,
  listOfPartition,
  MAX_INDEX_SHARDS,
  type ShardedList,
} from "../shared/adapters/sharded-index";

export interface BackfillOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  shards: number;
  /** Where the position is kept between pages; absent: no checkpoint (tests of one run). */
  checkpointFile?: string;
  pageSize?: number;
  writesPerSecond?: number;
  /** Stop after this many pages (a crash, in the tests); the checkpoint stays. */
  maxPages?: number;
  dryRun?: boolean;
}

export interface BackfillTotals {
  scanned: number;
  /** Items of sharded lists. */
  listed: number;
  moved: number;
  /** Already at their key. */
  inPlace: number;
  /** Changed or deleted by the control plane between the read and the write: left as they are. */
  changedMeanwhile: number;
  byList: Partial<Record<ShardedList, number>>;
  pages: number;
  finished: boolean;
}

interface IndexKeys {
  GSI1PK: string;
  GSI1SK: string;
}

interface Checkpoint {
  tableName: string;
  shards: number;
  startKey?: Record<string, unknown>;
  totals: BackfillTotals;
}

const emptyTotals = (): BackfillTotals => ({
  scanned: 0,
  listed: 0,
  moved: 0,
  inPlace: 0,
  changedMeanwhile: 0,
  byList: {},
  pages: 0,
  finished: false,
});

function loadCheckpoint(options: BackfillOptions): Checkpoint | undefined {
  if (!options.checkpointFile || !existsSync(options.checkpointFile)) return undefined;
  const saved = JSON.parse(readFileSync(options.checkpointFile, "utf8")) as Checkpoint;
  if (saved.tableName !== options.tableName || saved.shards !== options.shards)
    throw new Error(
      `The checkpoint ${options.checkpointFile} is of table ${saved.tableName} with ${saved.shards} shards; delete it to start over`,
    );
  return saved;
}

function saveCheckpoint(options: BackfillOptions, checkpoint: Checkpoint): void {
  if (!options.checkpointFile) return;
  mkdirSync(dirname(options.checkpointFile), { recursive: true });
  const temp = `${options.checkpointFile}.tmp`;
  // Owner only: the position is a table key (an API key's is the hash of its secret).
  writeFileSync(temp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
  // Renamed into place: a crash mid-write never leaves half a checkpoint.
  renameSync(temp, options.checkpointFile);
}

export async function backfillIndex(options: BackfillOptions): Promise<BackfillTotals> {
  // A finished pass is not resumed: a new run is a new pass (after a re-sharding back, or items
  // an older version wrote during a rolling deploy); over a table in place it writes nothing.
  const found = loadCheckpoint(options);
  const saved = found?.totals.finished ? undefined : found;
  const totals = saved?.totals ?? emptyTotals();
  let startKey = saved?.startKey;
  const limit = pLimit(16);
  const write = pThrottle({
    limit: 1,
    interval: 1000 / (options.writesPerSecond ?? 200),
    strict: true,
  })(async (item: { PK: string; SK: string; from: IndexKeys; to: IndexKeys }) => {
    try {
      await options.doc.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: { PK: item.PK, SK: item.SK },
          UpdateExpression: "SET GSI1PK = :toPk, GSI1SK = :toSk",
          ConditionExpression: "GSI1PK = :fromPk AND GSI1SK = :fromSk",
          ExpressionAttributeValues: {
            ":toPk": item.to.GSI1PK,
            ":toSk": item.to.GSI1SK,
            ":fromPk": item.from.GSI1PK,
            ":fromSk": item.from.GSI1SK,
          },
        }),
      );
      totals.moved += 1;
    } catch (err) {
      if ((err as Error).name !== "ConditionalCheckFailedException") throw err;
      totals.changedMeanwhile += 1;
    }
  });
  let pagesThisRun = 0;
  do {
    if (options.maxPages !== undefined && pagesThisRun >= options.maxPages) return totals;
    const page: ScanCommandOutput = await options.doc.send(
      new ScanCommand({
        TableName: options.tableName,
        // Only what the move needs; items without index keys are not returned.
        ProjectionExpression: "PK, SK, GSI1PK, GSI1SK, tenantId, accountId",
        FilterExpression: "attribute_exists(GSI1PK) AND attribute_exists(GSI1SK)",
        Limit: options.pageSize ?? 500,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    totals.scanned += page.ScannedCount ?? 0;
    const moves: Promise<void>[] = [];
    for (const item of page.Items ?? []) {
      const from = { GSI1PK: String(item.GSI1PK), GSI1SK: String(item.GSI1SK) };
      const list = listOfPartition(from.GSI1PK);
      if (list === undefined) continue;
      totals.listed += 1;
      totals.byList[list] = (totals.byList[list] ?? 0) + 1;
      const to = desiredIndexKeys(list, item, options.shards);
      if (to.GSI1PK === from.GSI1PK && to.GSI1SK === from.GSI1SK) {
        totals.inPlace += 1;
        continue;
      }
      if (options.dryRun) {
        totals.moved += 1;
        continue;
      }
      moves.push(limit(() => write({ PK: String(item.PK), SK: String(item.SK), from, to })));
    }
    await Promise.all(moves);
    startKey = page.LastEvaluatedKey;
    totals.pages += 1;
    pagesThisRun += 1;
    totals.finished = startKey === undefined;
    if (!options.dryRun)
      saveCheckpoint(options, {
        tableName: options.tableName,
        shards: options.shards,
        ...(startKey ? { startKey } : {}),
        totals,
      });
  } while (startKey);
  return totals;
}

async function main() {
  const { values } = parseArgs({
    options: {
      table: { type: "string" },
      local: { type: "boolean", default: false },
      shards: { type: "string" },
      "writes-per-second": { type: "string", default: "200" },
      checkpoint: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const { ROOT: root } = await import("../tools/local-aws/local-stack");
  let endpoint: string | undefined;
  let tableName = values.table;
  if (values.local) {
    const { LOCAL_AWS_ENV, LOCAL_TABLE } = await import("../tools/local-aws/local-stack");
    const stackFile = process.env.CP_LOCAL_STACK_FILE ?? join(root, ".local/stack.json");
    if (!existsSync(stackFile)) {
      console.error("No local stack found: run `npm start` first.");
      process.exit(2);
    }
    endpoint = JSON.parse(readFileSync(stackFile, "utf8")).awsEndpoint as string;
    Object.assign(process.env, LOCAL_AWS_ENV);
    tableName ??= LOCAL_TABLE;
  }
  if (!tableName) {
    console.error("Name the table: --table <name> (or --local for the local stack's).");
    process.exit(2);
  }
  const shards = values.shards === undefined ? indexShardCount() : Number(values.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_INDEX_SHARDS) {
    console.error(`--shards must be an integer from 1 to ${MAX_INDEX_SHARDS}`);
    process.exit(2);
  }
  const writesPerSecond = Number(values["writes-per-second"]);
  if (!Number.isFinite(writesPerSecond) || writesPerSecond <= 0 || writesPerSecond > 10_000) {
    console.error("--writes-per-second must be a number above 0, at most 10000");
    process.exit(2);
  }
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(endpoint ? { endpoint } : {}));
  const checkpointFile =
    values.checkpoint ?? join(root, ".local", `backfill-index-${tableName}-${shards}.json`);
  const totals = await backfillIndex({
    doc,
    tableName,
    shards,
    checkpointFile,
    writesPerSecond,
    dryRun: values["dry-run"],
  });
  console.log(JSON.stringify({ tableName, shards, checkpointFile, ...totals }));
}

if (process.argv[1]?.endsWith("backfill-index.ts")) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
