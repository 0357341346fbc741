/**
 * Stage-wide API Gateway throttling. osls lets the deployment create the REST API's stage, which
 * takes no throttling settings; this makes the stage an explicit AWS::ApiGateway::Stage of the
 * stack, pointing at the deployment, with a default method setting that throttles every route
 * (custom.apiThrottling: steady requests per second and burst). Over it API Gateway answers 429
 * itself, before any function runs.
 */
class ApiStageThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.addStage() };
  }

  addStage() {
    const service = this.serverless.service;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const name = Object.keys(resources).find(
      (key) => resources[key].Type === "AWS::ApiGateway::Deployment",
    );
    if (!name) return;
    const deployment = resources[name];
    const { StageName: stageName, ...rest } = deployment.Properties;
    const throttling = service.custom?.apiThrottling ?? {};
    deployment.Properties = rest;
    resources.ApiGatewayStage = {
      Type: "AWS::ApiGateway::Stage",
      Properties: {
        RestApiId: rest.RestApiId,
        DeploymentId: { Ref: name },
        StageName: stageName,
        MethodSettings: [
          {
            HttpMethod: "*",
            ResourcePath: "/*",
            ThrottlingRateLimit: Number(throttling.rateLimit),
            ThrottlingBurstLimit: Number(throttling.burstLimit),
          },
        ],
      },
    };
  }
}

module.exports = ApiStageThrottling;
