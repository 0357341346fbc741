/**
 * The DynamoDB stub of the partition-heat model (bench/heat.ts): the document client's `send`,
 * answered in memory, that counts the capacity units every operation consumes, per partition key
 * value, per simulated second.
 *
 * Capacity, as DynamoDB charges it (on-demand request units and provisioned units alike):
 *  - Reads: 1 unit per 4 KB strongly consistent, 0.5 eventually consistent. GetItem and every key
 *    of a BatchGetItem round each item up to 4 KB (a missing item still costs the minimum); a
 *    Query adds up the sizes of the items it returns, then rounds (an empty one costs the
 *    minimum). Queries on GSI1 are always eventually consistent, and read the index partition.
 *  - Writes: 1 unit per KB of the larger of the item's old and new images (a delete: the old
 *    one), at least 1. Inside TransactWriteItems every action costs twice that; a ConditionCheck
 *    is counted like a transactional write of the item it checks (2 per KB): the conservative
 *    reading of how a condition check is billed.
 *  - GSI1 (projection ALL): a write of an item that has GSI1PK writes the index partition of its
 *    new image (1 per KB of the new image); when the write changes GSI1PK (or removes it), the
 *    old index partition also takes a delete (1 per KB of the old image). An update that leaves
 *    the index key alone still writes the index once. Index writes are not doubled by a
 *    transaction (the doubling is the table's two-phase commit).
 *  - Item size: the UTF-8 length of the item's JSON, an approximation of DynamoDB's (attribute
 *    names plus values; JSON adds quotes and braces, DynamoDB adds per-attribute overhead).
 *
 * Keys are counted as `<PK value>` on the table and `GSI1:<GSI1PK value>` on the index: one key
 * value is taken as one partition (1,000 write units and 3,000 read units a second), as
 * docs/scale.md does; DynamoDB may split a hot key's sort-key range, which is not planned on.
 *
 * Not modelled: condition expressions (every write's condition is taken to pass; the scenarios are
 * built so that they do, and a failed condition costs the same units), filters, TransactGetItems,
 * throttling itself (the model reports load; it never refuses), and the 1 MB page cap's exact
 * bytes (approximated with the same JSON sizes).
 */
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { TABLE_KEYS } from "../shared/adapters/table";

export type Item = Record<string, unknown>;

const READ_UNIT_BYTES = 4096;
const WRITE_UNIT_BYTES = 1024;
/** What one partition serves per second (DynamoDB developer guide; docs/scale.md). */
export const PARTITION_LIMITS = { read: 3000, write: 1000 } as const;
/** A key above this share of a partition's limit is reported as hot. */
export const HOT_SHARE = 0.5;
/** A Query or Scan page stops at 1 MB. */
const PAGE_BYTES = 1024 * 1024;

const { partitionKey: PK, sortKey: SK } = TABLE_KEYS;
const GSI_PK = TABLE_KEYS.gsi1.partitionKey;
const GSI_SK = TABLE_KEYS.gsi1.sortKey;
const INDEX_PREFIX = `${TABLE_KEYS.gsi1.name}:`;

/** The model's item size: the UTF-8 length of the item's JSON. */
export function itemBytes(item: Item | undefined): number {
  return item === undefined ? 0 : Buffer.byteLength(JSON.stringify(item), "utf8");
}

const jsonBytes = (json: string | undefined) =>
  json === undefined ? 0 : Buffer.byteLength(json, "utf8");
const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));

/** What a sort key looks like, for naming the cause of a key's load without its values. */
function shapeOf(sk: unknown): string {
  const s = String(sk);
  if (/^\d{4}-\d\d-\d\dT/.test(s)) return "<time>";
  if (/^\d+$/.test(s)) return "<number>";
  const hash = s.indexOf("#");
  return hash < 0 ? s : `${s.slice(0, hash)}#`;
}

export interface HeatTableOptions {
  /** Items not held in memory: made on demand from their key (big populations). */
  generate?: (pk: string, sk: string) => Item | undefined;
  /**
   * A GSI1 partition answered on demand (big lists): up to `limit` items after index sort key
   * `after`, in sort-key order; undefined for a partition it does not make.
   */
  indexList?: (partition: string, after: string | undefined, limit: number) => Item[] | undefined;
}

export interface Units {
  read: number;
  write: number;
}

interface KeySecond extends Units {
  causes: Map<string, Units>;
}

export interface KeyLoad {
  key: string;
  /** The key's busiest simulated second. */
  unitsPerSecond: number;
  percentOfLimit: number;
}

export interface HotKey extends KeyLoad {
  kind: "read" | "write";
  /** Measured seconds in which the key was above half its limit. */
  secondsHot: number;
  /** The units of its busiest second, by operation (`phase: command and item`). */
  byCause: Record<string, number>;
}

export interface HeatReport {
  seconds: number;
  reads: {
    hottest: KeyLoad | null;
    distinctKeys: number;
    totalUnitsPerSecond: number;
    busiestSecondUnits: number;
    indexUnitsPerSecond: number;
  };
  writes: {
    hottest: KeyLoad | null;
    distinctKeys: number;
    totalUnitsPerSecond: number;
    busiestSecondUnits: number;
    indexUnitsPerSecond: number;
  };
  distinctKeys: number;
  targets: { maxKeyWriteUnitsPerSecond: number; maxKeyReadUnitsPerSecond: number };
  pass: boolean;
  /** Keys above half a partition's limit, with what loads them. */
  hotKeys: HotKey[];
  /** Calls per second by command (and consumed units per call, on average). */
  commandsPerSecond: Record<string, number>;
}

const round = (n: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/**
 * The table in memory (items written, as JSON, plus what `generate` makes on demand), with
 * capacity counters. `second`, `counting` and `phase` are set by the scenario driving it.
 */
export class HeatTable {
  /** The simulated second operations are attributed to. */
  second = 0;
  /** Off while setting up or warming up: nothing is counted. */
  counting = true;
  /** Prefixes the cause of every unit counted (the scenario's step). */
  phase = "";
  readonly doc: DynamoDBDocumentClient;

  /** PK -> SK -> the item's JSON; null marks an item deleted (`generate` does not bring it back). */
  private readonly items = new Map<string, Map<string, string | null>>();
  /** GSI1PK -> GSI1SK -> the item's JSON, for the items held in memory. */
  private readonly index = new Map<string, Map<string, string>>();
  /** second -> key -> units, with the units by cause. */
  private readonly perSecond = new Map<number, Map<string, KeySecond>>();
  private readonly commands = new Map<string, number>();

  constructor(private readonly options: HeatTableOptions = {}) {
    this.doc = {
      send: (command: unknown) => this.send(command),
    } as unknown as DynamoDBDocumentClient;
  }

  send(command: unknown): Promise<unknown> {
    try {
      return Promise.resolve(this.dispatch(command));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The item at a key, from memory or made on demand (a copy). */
  get(pk: string, sk: string): Item | undefined {
    const held = this.items.get(pk)?.get(sk);
    if (held === null) return undefined;
    return held === undefined ? this.options.generate?.(pk, sk) : (JSON.parse(held) as Item);
  }

  /** The item's JSON, from memory or made on demand. */
  private json(pk: string, sk: string): string | undefined {
    const held = this.items.get(pk)?.get(sk);
    if (held === null) return undefined;
    if (held !== undefined) return held;
    const made = this.options.generate?.(pk, sk);
    return made === undefined ? undefined : JSON.stringify(made);
  }

  /** A key's busiest second, for reads and for writes (`GSI1:<GSI1PK>` for the index). */
  peak(key: string): Units {
    const p: Units = { read: 0, write: 0 };
    for (const keysOfSecond of this.perSecond.values()) {
      const u = keysOfSecond.get(key);
      if (!u) continue;
      p.read = Math.max(p.read, u.read);
      p.write = Math.max(p.write, u.write);
    }
    return p;
  }

  /** The items held in memory whose PK starts with `prefix` (to inspect, e.g. rate counters). */
  *heldItems(prefix: string): Generator<Item> {
    for (const [pk, bySk] of this.items) {
      if (!pk.startsWith(prefix)) continue;
      for (const json of bySk.values()) if (json) yield JSON.parse(json) as Item;
    }
  }

  private dispatch(command: unknown): unknown {
    if (command instanceof GetCommand) return this.getItem(command.input);
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    if (command instanceof PutCommand) return this.putItem(command.input, "PutItem", 1);
    if (command instanceof UpdateCommand) return this.updateItem(command.input, "UpdateItem", 1);
    if (command instanceof DeleteCommand) return this.deleteItem(command.input, "DeleteItem", 1);
    if (command instanceof TransactWriteCommand) return this.transactWrite(command.input);
    if (command instanceof BatchWriteCommand) return this.batchWrite(command.input);
    throw new Error(
      `heat stub: unexpected command ${String((command as object)?.constructor?.name)}`,
    );
  }

  // ---- Counting ---------------------------------------------------------------------------------

  private call(name: string): void {
    if (this.counting) this.commands.set(name, (this.commands.get(name) ?? 0) + 1);
  }

  private charge(key: string, kind: keyof Units, units: number, cause: string): void {
    if (!this.counting) return;
    let keysOfSecond = this.perSecond.get(this.second);
    if (!keysOfSecond) {
      keysOfSecond = new Map();
      this.perSecond.set(this.second, keysOfSecond);
    }
    let u = keysOfSecond.get(key);
    if (!u) {
      u = { read: 0, write: 0, causes: new Map() };
      keysOfSecond.set(key, u);
    }
    u[kind] += units;
    const label = this.phase ? `${this.phase}: ${cause}` : cause;
    let c = u.causes.get(label);
    if (!c) {
      c = { read: 0, write: 0 };
      u.causes.set(label, c);
    }
    c[kind] += units;
  }

  // ---- Reads ------------------------------------------------------------------------------------

  private getItem(input: GetCommandInput) {
    this.call("GetItem");
    const pk = String(input.Key?.[PK]);
    const sk = String(input.Key?.[SK]);
    const json = this.json(pk, sk);
    this.charge(
      pk,
      "read",
      readUnits(jsonBytes(json), input.ConsistentRead === true),
      `GetItem ${shapeOf(sk)}`,
    );
    return json === undefined ? {} : { Item: JSON.parse(json) as Item };
  }

  private batchGet(input: BatchGetCommandInput) {
    this.call("BatchGetItem");
    const responses: Record<string, Item[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
      const found: Item[] = [];
      for (const key of request.Keys ?? []) {
        const pk = String(key[PK]);
        const sk = String(key[SK]);
        const json = this.json(pk, sk);
        this.charge(
          pk,
          "read",
          readUnits(jsonBytes(json), request.ConsistentRead === true),
          `BatchGetItem ${shapeOf(sk)}`,
        );
        if (json !== undefined) found.push(JSON.parse(json) as Item);
      }
      responses[table] = found;
    }
    return { Responses: responses };
  }

  private query(input: QueryCommandInput) {
    const onIndex = input.IndexName !== undefined;
    if (onIndex && input.IndexName !== TABLE_KEYS.gsi1.name)
      throw new Error(`heat stub: unknown index ${input.IndexName}`);
    this.call(onIndex ? "Query (GSI1)" : "Query");
    const cond = parseKeyCondition(
      input.KeyConditionExpression ?? "",
      input.ExpressionAttributeValues ?? {},
    );
    const skAttr = onIndex ? GSI_SK : SK;
    const start = input.ExclusiveStartKey?.[skAttr] as string | undefined;
    const forward = input.ScanIndexForward !== false;
    const limit = input.Limit;

    let candidates: Item[] | undefined;
    if (onIndex && this.options.indexList && forward) {
      const after = [start, cond.sk?.op === ">" ? cond.sk.a : undefined]
        .filter((s): s is string => s !== undefined)
        .sort()
        .at(-1);
      // A page holds at most 1 MB: ask for no more than could fit, whatever the limit.
      candidates = this.options
        .indexList(cond.pk, after, Math.min(limit ?? 1024, 1024))
        // What was written since (held in memory) is what a read sees.
        ?.map((item) => {
          const held = this.items.get(String(item[PK]))?.get(String(item[SK]));
          return held === undefined ? item : held === null ? null : (JSON.parse(held) as Item);
        })
        .filter((item): item is Item => item !== null && item[GSI_PK] === cond.pk);
    }
    if (!candidates) {
      const source = onIndex ? this.index.get(cond.pk) : this.items.get(cond.pk);
      candidates = [...(source?.values() ?? [])]
        .filter((json): json is string => json !== null)
        .map((json) => JSON.parse(json) as Item);
      candidates.sort((x, y) => compare(x[skAttr], y[skAttr]));
      if (!forward) candidates.reverse();
    }
    const matching = candidates.filter(
      (item) =>
        (cond.sk === undefined || skMatches(item[skAttr], cond.sk)) &&
        (start === undefined ||
          (forward ? compare(item[skAttr], start) > 0 : compare(item[skAttr], start) < 0)),
    );
    const items: Item[] = [];
    let bytes = 0;
    let cut = false;
    for (const item of matching) {
      if (limit !== undefined && items.length >= limit) {
        cut = true;
        break;
      }
      const size = itemBytes(item);
      if (items.length > 0 && bytes + size > PAGE_BYTES) {
        cut = true;
        break;
      }
      items.push(item);
      bytes += size;
    }
    // DynamoDB also answers a LastEvaluatedKey when the limit is reached on the last item.
    if (limit !== undefined && items.length === limit) cut = true;
    const key = onIndex ? `${INDEX_PREFIX}${cond.pk}` : cond.pk;
    this.charge(
      key,
      "read",
      readUnits(bytes, !onIndex && input.ConsistentRead === true),
      onIndex ? "Query (GSI1)" : `Query ${cond.sk ? shapeOf(cond.sk.a) : "partition"}`,
    );
    const last = items.at(-1);
    return {
      Items: items,
      Count: items.length,
      ...(cut && last
        ? {
            LastEvaluatedKey: Object.fromEntries(
              (onIndex ? [PK, SK, GSI_PK, GSI_SK] : [PK, SK]).map((k) => [k, last[k]]),
            ),
          }
        : {}),
    };
  }

  // ---- Writes -----------------------------------------------------------------------------------

  /** Stores `next` (undefined: deletes) at a key, charging the table and GSI1; the old item. */
  private write(
    pk: string,
    sk: string,
    next: Item | undefined,
    cause: string,
    multiplier: number,
  ): Item | undefined {
    const oldJson = this.json(pk, sk);
    const old = oldJson === undefined ? undefined : (JSON.parse(oldJson) as Item);
    const newJson = next === undefined ? undefined : JSON.stringify(next);
    const oldBytes = jsonBytes(oldJson);
    const newBytes = jsonBytes(newJson);
    this.charge(pk, "write", writeUnits(Math.max(oldBytes, newBytes)) * multiplier, cause);

    const oldIndex = typeof old?.[GSI_PK] === "string" ? (old[GSI_PK] as string) : undefined;
    const newIndex = typeof next?.[GSI_PK] === "string" ? (next[GSI_PK] as string) : undefined;
    const what = `${cause} → GSI1`;
    if (oldIndex !== undefined && oldIndex !== newIndex)
      this.charge(`${INDEX_PREFIX}${oldIndex}`, "write", writeUnits(oldBytes), `${what} (delete)`);
    if (newIndex !== undefined)
      this.charge(`${INDEX_PREFIX}${newIndex}`, "write", writeUnits(newBytes), what);

    if (oldIndex !== undefined) this.index.get(oldIndex)?.delete(String(old?.[GSI_SK]));
    if (newJson !== undefined && newIndex !== undefined) {
      let part = this.index.get(newIndex);
      if (!part) {
        part = new Map();
        this.index.set(newIndex, part);
      }
      part.set(String(next?.[GSI_SK]), newJson);
    }
    let bySk = this.items.get(pk);
    if (!bySk) {
      bySk = new Map();
      this.items.set(pk, bySk);
    }
    bySk.set(sk, newJson ?? null);
    return old;
  }

  private putItem(input: PutCommandInput, name: string, multiplier: number) {
    if (multiplier === 1) this.call(name);
    const item = (input.Item ?? {}) as Item;
    const sk = item[SK];
    const old = this.write(
      String(item[PK]),
      String(sk),
      item,
      `${name} ${shapeOf(sk)}`,
      multiplier,
    );
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {};
  }

  private updateItem(input: UpdateCommandInput, name: string, multiplier: number) {
    if (multiplier === 1) this.call(name);
    const pk = String(input.Key?.[PK]);
    const sk = String(input.Key?.[SK]);
    const current = this.get(pk, sk);
    const next = applyUpdate(
      current ?? { [PK]: pk, [SK]: sk },
      input.UpdateExpression ?? "",
      input.ExpressionAttributeNames ?? {},
      input.ExpressionAttributeValues ?? {},
    );
    const old = this.write(pk, sk, next, `${name} ${shapeOf(sk)}`, multiplier);
    const rv = input.ReturnValues;
    if (rv === "ALL_NEW" || rv === "UPDATED_NEW") return { Attributes: next };
    if ((rv === "ALL_OLD" || rv === "UPDATED_OLD") && old) return { Attributes: old };
    return {};
  }

  private deleteItem(input: DeleteCommandInput, name: string, multiplier: number) {
    if (multiplier === 1) this.call(name);
    const pk = String(input.Key?.[PK]);
    const sk = String(input.Key?.[SK]);
    const old = this.write(pk, sk, undefined, `${name} ${shapeOf(sk)}`, multiplier);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {};
  }

  private transactWrite(input: TransactWriteCommandInput) {
    this.call("TransactWriteItems");
    for (const action of input.TransactItems ?? []) {
      if (action.Put) this.putItem(action.Put as PutCommandInput, "TransactWrite.Put", 2);
      else if (action.Update)
        this.updateItem(action.Update as UpdateCommandInput, "TransactWrite.Update", 2);
      else if (action.Delete)
        this.deleteItem(action.Delete as DeleteCommandInput, "TransactWrite.Delete", 2);
      else if (action.ConditionCheck) {
        const pk = String(action.ConditionCheck.Key?.[PK]);
        const sk = String(action.ConditionCheck.Key?.[SK]);
        this.charge(
          pk,
          "write",
          writeUnits(jsonBytes(this.json(pk, sk))) * 2,
          `TransactWrite.ConditionCheck ${shapeOf(sk)}`,
        );
      }
    }
    return {};
  }

  private batchWrite(input: BatchWriteCommandInput) {
    this.call("BatchWriteItem");
    for (const requests of Object.values(input.RequestItems ?? {})) {
      for (const r of requests) {
        if (r.PutRequest)
          this.putItem({ Item: r.PutRequest.Item } as PutCommandInput, "BatchWrite.Put", 1);
        else if (r.DeleteRequest)
          this.deleteItem(
            { Key: r.DeleteRequest.Key } as DeleteCommandInput,
            "BatchWrite.Delete",
            1,
          );
      }
    }
    return { UnprocessedItems: {} };
  }

  // ---- Report -----------------------------------------------------------------------------------

  /** The load counted so far, over the seconds that saw any. */
  report(): HeatReport {
    const seconds = Math.max(1, this.perSecond.size);
    /** Per key: its busiest second for reads and for writes, and the units by cause in it. */
    const peaks = new Map<string, Record<keyof Units, { units: number; at: KeySecond }>>();
    const totals: Units[] = [];
    const indexTotals: Units = { read: 0, write: 0 };
    for (const keysOfSecond of this.perSecond.values()) {
      const total: Units = { read: 0, write: 0 };
      for (const [key, u] of keysOfSecond) {
        const p = peaks.get(key);
        if (!p)
          peaks.set(key, { read: { units: u.read, at: u }, write: { units: u.write, at: u } });
        else
          for (const kind of ["read", "write"] as const)
            if (u[kind] > p[kind].units) p[kind] = { units: u[kind], at: u };
        total.read += u.read;
        total.write += u.write;
        if (key.startsWith(INDEX_PREFIX)) {
          indexTotals.read += u.read;
          indexTotals.write += u.write;
        }
      }
      totals.push(total);
    }
    const load = (key: string, units: number, kind: keyof Units): KeyLoad => ({
      key,
      unitsPerSecond: round(units),
      percentOfLimit: round((100 * units) / PARTITION_LIMITS[kind]),
    });
    const side = (kind: keyof Units) => {
      let best: [string, number] | undefined;
      let distinct = 0;
      for (const [key, p] of peaks) {
        if (p[kind].units <= 0) continue;
        distinct += 1;
        if (!best || p[kind].units > best[1]) best = [key, p[kind].units];
      }
      return {
        hottest: best ? load(best[0], best[1], kind) : null,
        distinctKeys: distinct,
        totalUnitsPerSecond: round(totals.reduce((s, t) => s + t[kind], 0) / seconds),
        busiestSecondUnits: round(Math.max(0, ...totals.map((t) => t[kind]))),
        indexUnitsPerSecond: round(indexTotals[kind] / seconds),
      };
    };
    const hotKeys: HotKey[] = [];
    for (const [key, p] of peaks) {
      for (const kind of ["read", "write"] as const) {
        const { units, at } = p[kind];
        if (units <= HOT_SHARE * PARTITION_LIMITS[kind]) continue;
        let busySeconds = 0;
        for (const keysOfSecond of this.perSecond.values())
          if ((keysOfSecond.get(key)?.[kind] ?? 0) > HOT_SHARE * PARTITION_LIMITS[kind])
            busySeconds += 1;
        const byCause: Record<string, number> = {};
        for (const [cause, u] of at.causes) if (u[kind] > 0) byCause[cause] = round(u[kind]);
        hotKeys.push({ ...load(key, units, kind), kind, secondsHot: busySeconds, byCause });
      }
    }
    hotKeys.sort((a, b) => b.percentOfLimit - a.percentOfLimit);
    const reads = side("read");
    const writes = side("write");
    const maxRead = reads.hottest?.unitsPerSecond ?? 0;
    const maxWrite = writes.hottest?.unitsPerSecond ?? 0;
    return {
      seconds,
      reads,
      writes,
      distinctKeys: peaks.size,
      targets: {
        maxKeyWriteUnitsPerSecond: PARTITION_LIMITS.write,
        maxKeyReadUnitsPerSecond: PARTITION_LIMITS.read,
      },
      pass: maxRead <= PARTITION_LIMITS.read && maxWrite <= PARTITION_LIMITS.write,
      hotKeys,
      commandsPerSecond: Object.fromEntries(
        [...this.commands].map(([name, n]) => [name, round(n / seconds)]),
      ),
    };
  }
}

// ---- Expressions ----------------------------------------------------------------------------------

type Names = Record<string, string>;
type Values = Record<string, unknown>;

interface SkCondition {
  op: "=" | "<" | "<=" | ">" | ">=" | "between" | "begins_with";
  a: string;
  b?: string;
}

function compare(x: unknown, y: unknown): number {
  const a = String(x);
  const b = String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}

function skMatches(value: unknown, c: SkCondition): boolean {
  const v = String(value);
  switch (c.op) {
    case "=":
      return v === c.a;
    case "<":
      return v < c.a;
    case "<=":
      return v <= c.a;
    case ">":
      return v > c.a;
    case ">=":
      return v >= c.a;
    case "between":
      return v >= c.a && v <= String(c.b);
    case "begins_with":
      return v.startsWith(c.a);
  }
}

/** `<pk> = :v [AND <sort-key condition>]`, the forms the adapters use. */
function parseKeyCondition(expression: string, values: Values): { pk: string; sk?: SkCondition } {
  const value = (token: string) => String(values[token.trim()]);
  const at = expression.indexOf(" AND ");
  const pkPart = at < 0 ? expression : expression.slice(0, at);
  const pkMatch = /^\s*([#\w]+)\s*=\s*(:\w+)\s*$/.exec(pkPart);
  if (!pkMatch) throw new Error(`heat stub: key condition ${expression}`);
  const pk = value(pkMatch[2] as string);
  if (at < 0) return { pk };
  const rest = expression.slice(at + 5);
  const begins = /^\s*begins_with\(\s*[#\w]+\s*,\s*(:\w+)\s*\)\s*$/.exec(rest);
  if (begins) return { pk, sk: { op: "begins_with", a: value(begins[1] as string) } };
  const between = /^\s*[#\w]+\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)\s*$/.exec(rest);
  if (between)
    return {
      pk,
      sk: { op: "between", a: value(between[1] as string), b: value(between[2] as string) },
    };
  const cmp = /^\s*[#\w]+\s*(<=|>=|=|<|>)\s*(:\w+)\s*$/.exec(rest);
  if (cmp) return { pk, sk: { op: cmp[1] as SkCondition["op"], a: value(cmp[2] as string) } };
  throw new Error(`heat stub: sort key condition ${rest}`);
}

/** Splits at `separator` outside parentheses. */
function splitTop(s: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "(") depth += 1;
    else if (ch === ")") depth -= 1;
    else if (ch === separator && depth === 0) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function pathOf(token: string, names: Names): string[] {
  return token
    .trim()
    .split(".")
    .map((part) => (part.startsWith("#") ? (names[part] ?? part) : part));
}

function getPath(item: Item, path: string[]): unknown {
  let at: unknown = item;
  for (const part of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Item)[part];
  }
  return at;
}

function setPath(item: Item, path: string[], value: unknown): void {
  let at = item;
  for (const part of path.slice(0, -1)) {
    const next = at[part];
    const copy = next !== null && typeof next === "object" ? { ...(next as Item) } : {};
    at[part] = copy;
    at = copy;
  }
  const last = path.at(-1) as string;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

function operand(token: string, item: Item, names: Names, values: Values): unknown {
  const t = token.trim();
  if (t.startsWith(":")) return values[t];
  const fn = /^(if_not_exists|list_append)\((.*)\)$/.exec(t);
  if (fn) {
    const [x, y] = splitTop(fn[2] as string, ",") as [string, string];
    if (fn[1] === "if_not_exists") {
      const current = getPath(item, pathOf(x, names));
      return current !== undefined ? current : operand(y, item, names, values);
    }
    return [
      ...((operand(x, item, names, values) as unknown[]) ?? []),
      ...((operand(y, item, names, values) as unknown[]) ?? []),
    ];
  }
  return getPath(item, pathOf(t, names));
}

/** The item after an UpdateExpression (SET, ADD, REMOVE; DELETE of set members). */
export function applyUpdate(item: Item, expression: string, names: Names, values: Values): Item {
  const next: Item = { ...item };
  const clauses = expression.split(/\b(SET|ADD|REMOVE|DELETE)\b/);
  for (let i = 1; i < clauses.length; i += 2) {
    const verb = clauses[i];
    const body = clauses[i + 1] ?? "";
    for (const action of splitTop(body, ",")) {
      if (verb === "SET") {
        const eq = action.indexOf("=");
        const path = pathOf(action.slice(0, eq), names);
        const rhs = action.slice(eq + 1).trim();
        const arith = /^(.+?)\s([+-])\s(.+)$/.exec(rhs);
        const value = arith
          ? Number(operand(arith[1] as string, item, names, values)) +
            (arith[2] === "-" ? -1 : 1) * Number(operand(arith[3] as string, item, names, values))
          : operand(rhs, item, names, values);
        setPath(next, path, structuredClone(value));
      } else if (verb === "ADD") {
        const [p, v] = action.split(/\s+/) as [string, string];
        const path = pathOf(p, names);
        const current = getPath(next, path);
        const add = values[v];
        if (add instanceof Set)
          setPath(next, path, new Set([...((current as Set<unknown>) ?? []), ...add]));
        else setPath(next, path, Number(current ?? 0) + Number(add));
      } else if (verb === "REMOVE") {
        setPath(next, pathOf(action, names), undefined);
      } else if (verb === "DELETE") {
        const [p, v] = action.split(/\s+/) as [string, string];
        const path = pathOf(p, names);
        const current = getPath(next, path);
        const drop = values[v];
        if (current instanceof Set && drop instanceof Set)
          setPath(next, path, new Set([...current].filter((x) => !drop.has(x))));
      }
    }
  }
  return next;
}

/**
 * The items a piece of code writes, without counting anything: runs `write` against a table that
 * only keeps what it is given, and returns the items put (transactions' included), in order.
 * Used to take an item's layout from the adapter that writes it.
 */
export async function capturePuts(write: (doc: DynamoDBDocumentClient) => Promise<unknown>) {
  const puts: Item[] = [];
  const doc = {
    send: (command: unknown) => {
      if (command instanceof PutCommand) puts.push(structuredClone(command.input.Item ?? {}));
      if (command instanceof TransactWriteCommand)
        for (const a of command.input.TransactItems ?? [])
          if (a.Put) puts.push(structuredClone(a.Put.Item ?? {}));
      return Promise.resolve({});
    },
  } as unknown as DynamoDBDocumentClient;
  await write(doc);
  return puts;
}
