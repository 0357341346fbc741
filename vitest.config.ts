import { defineConfig } from "vitest/config";

/**
 * Two tiers. `unit`: no emulator, no network (in-memory ports, aws-sdk-client-mock at adapter
 * seams): `npm run test:unit`, `npm run test:watch`. `integration`: everything that needs the local
 * AWS, packaging or the running stack. `npm test` runs both.
 *
 * `npm run test:unit` passes --maxWorkers=2: vitest's default (cores - 1) is one worker on a
 * 2-core machine, 9.4 s for the unit tier against 7.0 s with two. Integration keeps one worker:
 * its suites share one emulator.
 */
export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // Threads start faster than processes; the unit tier holds no process-wide state.
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
