/**
 * The CloudFormation quick-create link (facts.md): the console domain of the region's partition,
 * `#/stacks/quickcreate?` with templateURL, stackName and one `param_<Name>` per parameter, every
 * value URL-encoded. Parameters filled by the link must not be NoEcho (the console ignores them).
 */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

export function consoleDomain(region: string, partition: string): string {
  switch (partition) {
    case "aws-cn":
      return "console.amazonaws.cn";
    case "aws-us-gov":
      return "console.amazonaws-us-gov.com";
    default:
      return `${region}.console.aws.amazon.com`;
  }
}

export function quickCreateUrl(input: {
  region: string;
  /** The region's partition: it decides the console's domain. */
  partition: string;
  templateUrl: string;
  stackName: string;
  parameters: Record<string, string>;
}): string {
  if (!STACK_NAME_PATTERN.test(input.stackName))
    throw new Error(`invalid stack name ${input.stackName}`);
  if (input.templateUrl.length > 1024) throw new Error("templateURL exceeds 1024 characters");
  const query = [
    `templateURL=${encodeURIComponent(input.templateUrl)}`,
    `stackName=${encodeURIComponent(input.stackName)}`,
    ...Object.entries(input.parameters).map(
      ([k, v]) => `param_${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
    ),
  ].join("&");
  const region = encodeURIComponent(input.region);
  return `https://${consoleDomain(input.region, input.partition)}/cloudformation/home?region=${region}#/stacks/quickcreate?${query}`;
}
