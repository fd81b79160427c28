import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "stack/test/**/*.test.ts",
      "bench/test/**/*.test.ts",
      "deploy/test/**/*.test.ts",
    ],
    // One private PostgreSQL server for the run; each test file gets its own database.
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // Two cores: more parallel files only make the real servers fight for CPU.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
