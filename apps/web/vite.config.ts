import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The front end's build. Output goes to `dist/`: `index.html` plus content-hashed files under
 * `dist/assets/`, which nginx serves with a one-year immutable policy (a changed file gets a
 * new name, so no browser ever needs to ask for an old name again).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    target: "es2022",
    // One small app: a single chunk is cheaper than a waterfall of tiny ones.
    chunkSizeWarningLimit: 400,
  },
  // `npm run dev -w @strata/web` against a running stack (`npm start`).
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
