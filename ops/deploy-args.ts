import { parseArgs } from "node:util";
import { REGION_PATTERN } from "../shared/domain/arn";

/** The arguments of `npm run deploy` and `npm run remove`: `<stage> [--region <region>]`. */
export interface DeployArgs {
  stage: string;
  region: string;
  stackName: string;
}

const STAGE = /^[a-z][a-z0-9-]{0,15}$/;
const USAGE = "usage: npm run <deploy|remove> -- <stage> [--region <region>]";

export function parseDeployArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DeployArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new Error(`unknown argument: ${(err as Error).message}\n${USAGE}`);
  }
  const [stage, ...extra] = parsed.positionals;
  if (!stage) throw new Error(USAGE);
  if (extra.length > 0) throw new Error(`unknown argument ${extra[0]}\n${USAGE}`);
  if (!STAGE.test(stage))
    throw new Error(`stage ${stage}: lowercase letters, digits and hyphens, 16 at most`);
  if (stage === "local") throw new Error("the local stage is `npm start`'s, on the emulator");
  const region = parsed.values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("no region: pass --region <region> or set AWS_REGION");
  if (!REGION_PATTERN.test(region)) throw new Error(`region ${region} is not a region name`);
  return { stage, region, stackName: `cross-account-control-plane-${stage}` };
}

/** infra/lambda-runtime.json: the pinned Lambda runtime the code caches are built for. */
export interface LambdaRuntimePin {
  runtime: string;
  architecture: string;
  node: string;
  runtimeVersionArns: Record<string, string>;
}

/**
 * The runtime version a deploy to `region` pins its functions to (serverless.ts reads the same
 * file). A region without one recorded is refused: deploying there would either fail in
 * CloudFormation or, pinned to another version, load every function without its code cache.
 */
export function pinnedRuntimeVersionArn(region: string, pin: LambdaRuntimePin): string {
  const arn = pin.runtimeVersionArns[region];
  const how =
    `record in infra/lambda-runtime.json, under runtimeVersionArns."${region}", the runtime version ` +
    `ARN of ${pin.runtime} that runs Node.js ${pin.node} (docs/operations.md, "The Lambda runtime")`;
  if (!arn) throw new Error(`no runtime version pinned for ${region}: ${how}`);
  const pattern = new RegExp(`^arn:aws[a-z-]*:lambda:${region}::runtime:[0-9a-f]{64}$`);
  if (!pattern.test(arn))
    throw new Error(`${arn} is not a runtime version ARN of ${region}: ${how}`);
  return arn;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: { region: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
}
