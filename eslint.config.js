import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      ".data/**",
      "bench/results/**",
      "apps/web/dist/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // The front end runs in browsers.
    files: ["apps/web/src/**"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Command-line programs talk to people on stdout.
    files: ["stack/**", "bench/**", "scripts/**", "packages/db/src/cli/**", "**/test/**"],
    rules: { "no-console": "off" },
  },
);
