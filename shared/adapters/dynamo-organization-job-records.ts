import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { OrganizationJob } from "../domain/organization-job";
import type { OrganizationJobStore } from "../ports/organizations";
import { rethrowDynamo } from "./dynamo-errors";
import { getConsistent, withoutTableAttributes } from "./gsi1";
import { keys } from "./table";

export const toOrganizationJob = (item: Record<string, unknown>) =>
  withoutTableAttributes(item) as unknown as OrganizationJob;

/**
 * A tenant's latest organization job as GET .../organizations reads it and disconnect forgets it:
 * one GetItem, one DeleteItem, so that those functions' bundles carry none of the job's own
 * writes (dynamo-organization-job-store.ts has them).
 */
export class DynamoOrganizationJobRecords implements Pick<OrganizationJobStore, "get" | "delete"> {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tenantId: string): Promise<OrganizationJob | undefined> {
    const item = await getConsistent(this.doc, this.tableName, keys.organizationJob(tenantId));
    return item ? toOrganizationJob(item) : undefined;
  }

  async delete(tenantId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.organizationJob(tenantId) }),
      );
    } catch (err) {
      rethrowDynamo(err);
    }
  }
}
