/**
 * osls creates a shared execution role (IamRoleLambdaExecution) for functions without `role`;
 * serverless-iam-roles-per-function then gives every function its own role, cloned from it, and
 * the shared one is left in the template, unused. This removes it when nothing refers to it
 * (listed after serverless-iam-roles-per-function, so it runs after that plugin's clone).
 */
class DropUnusedSharedRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const name = this.serverless.getProvider("aws").naming.getRoleLogicalId();
    if (!template.Resources[name]) return;
    const { [name]: _role, ...others } = template.Resources;
    const rest = JSON.stringify({ ...template, Resources: others });
    if (rest.includes(`"${name}"`)) return;
    delete template.Resources[name];
    this.serverless.cli.log(`drop-unused-shared-role: removed ${name}, which no function uses`);
  }
}

module.exports = DropUnusedSharedRole;
