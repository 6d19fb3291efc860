import { defineConfig } from "vite";

// Built into web/dist; the API copies it beside itself (wwwroot) and serves the pages. `npm run dev` proxies the
// API so the pages can be worked on with live reload against a running API (ANALYTICS_API, default :5080).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: {
    proxy: {
      "/api": process.env.ANALYTICS_API ?? "http://127.0.0.1:5080",
      "/signin": process.env.ANALYTICS_API ?? "http://127.0.0.1:5080",
    },
  },
});
