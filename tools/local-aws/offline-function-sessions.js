/**
 * serverless-offline runs each function with its own role's session, as Lambda does on AWS.
 *
 * `npm start` creates one role per function on the local AWS (tools/local-aws/function-roles.ts)
 * and writes a session of each to the file CP_LOCAL_FUNCTION_SESSIONS names (its `sessions`); serverless.ts lists
 * this plugin only when that variable is set (never when packaging). The session goes into the
 * function's environment, which serverless-offline puts over the process's AWS_* variables.
 */
const { readFileSync } = require("node:fs");

class OfflineFunctionSessions {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:offline:start:init": () => this.apply() };
  }

  apply() {
    const file = process.env.CP_LOCAL_FUNCTION_SESSIONS;
    if (!file) return;
    // start.ts writes { sessions: { <function>: { AWS_ACCESS_KEY_ID, ... } }, ... }.
    const { sessions } = JSON.parse(readFileSync(file, "utf8"));
    for (const [name, fn] of Object.entries(this.serverless.service.functions)) {
      const session = sessions[name];
      // Fail closed: a function without its role would run with whatever the process has.
      if (!session) throw new Error(`No local session for function ${name} in ${file}`);
      fn.environment = { ...fn.environment, ...session };
    }
  }
}

module.exports = OfflineFunctionSessions;
