/** The arguments of `npm run deploy` and `npm run remove`: `<stage> [--region <region>]`. */
export interface DeployArgs {
  stage: string;
  region: string;
  stackName: string;
}

const STAGE = /^[a-z][a-z0-9-]{0,15}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;

export function parseDeployArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DeployArgs {
  const [stage, ...rest] = argv;
  if (!stage || stage.startsWith("-"))
    throw new Error("usage: npm run <deploy|remove> -- <stage> [--region <region>]");
  if (!STAGE.test(stage))
    throw new Error(`stage ${stage}: lowercase letters, digits and hyphens, 16 at most`);
  if (stage === "local") throw new Error("the local stage is `npm start`'s, on the emulator");
  let region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--region") region = rest[++i];
    else throw new Error(`unknown argument ${rest[i]}`);
  }
  if (!region) throw new Error("no region: pass --region <region> or set AWS_REGION");
  if (!REGION.test(region)) throw new Error(`region ${region} is not a region name`);
  return { stage, region, stackName: `cross-account-control-plane-${stage}` };
}
