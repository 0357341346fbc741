import { defineConfig } from "vitest/config";

/**
 * Two tiers. `unit`: no emulator, no network (in-memory ports, aws-sdk-client-mock at adapter
 * seams): `npm run test:unit`, `npm run test:watch`. `integration`: everything that needs the local
 * AWS, packaging or the running stack. `npm test` runs both.
 *
 * `npm run test:unit` passes --maxWorkers=2: vitest's default (cores - 1) is one worker on a
 * 2-core machine. Integration keeps one worker: its suites share one emulator.
 */
export default defineConfig({
  test: {
    pool: "forks",
    // The unit tier's worker threads (only it runs on threads) run file after file without
    // isolation: what Node loads (the AWS SDK, zod, middy, vitest itself) is loaded once per
    // worker, not once per file, which was two thirds of the tier's CPU time. The project's own
    // modules are still fresh in each file (vi.resetModules in test/support/unit-setup.ts), and
    // so is the environment; spies and fake clocks end with their test, and a class mocked with
    // aws-sdk-client-mock is restored after its file. Vitest reads pool options here, not from a
    // project. `npm run test:unit`: 1157 tests in 8 s of wall time on this 2-core machine, 18 s
    // isolated.
    poolOptions: { threads: { isolate: false } },
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Threads start faster than processes.
          pool: "threads",
          setupFiles: ["test/support/unit-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: [
            "test/integration/**/*.test.ts",
            "test/infra/**/*.test.ts",
            "test/contract/**/*.test.ts",
            "test/e2e/**/*.test.ts",
          ],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/worker-setup.ts"],
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
