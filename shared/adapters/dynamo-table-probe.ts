import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableProbe } from "../ports/health";

/** DescribeTable on the control plane's table: the one call the health route's function makes. */
export class DynamoTableProbe implements TableProbe {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async tableStatus(): Promise<string | undefined> {
    const out = await this.doc.send(new DescribeTableCommand({ TableName: this.tableName }));
    return out.Table?.TableStatus;
  }
}
