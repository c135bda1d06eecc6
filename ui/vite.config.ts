/**
 * Vite build of the Weft web UI. `vite build --config ui/vite.config.ts` writes `ui/dist`,
 * which `weft server` serves at `/`. In development, `WEFT_API_URL` (default
 * `http://127.0.0.1:8888`) receives the `/apis` requests.
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type UserConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

const config: UserConfig = {
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/apis": process.env.WEFT_API_URL ?? "http://127.0.0.1:8888" },
  },
};

export default defineConfig(({ command }) => {
  // a build is always the production build (React's production runtime and JSX), even when a
  // test runner that sets NODE_ENV=test starts it
  if (command === "build") process.env.NODE_ENV = "production";
  return config;
});
