import { defineConfig } from "vite";

// Built into web/dist; the API copies it beside itself (webui/) and serves the pages. Bundles go under /static, since
// /assets/{key} is a page. `npm run dev` proxies the
// API so the pages can be worked on with live reload against a running API (ANALYTICS_API, default :5080).
export default defineConfig({
  build: { outDir: "dist", assetsDir: "static", emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: {
    proxy: {
      "/api": process.env.ANALYTICS_API ?? "http://127.0.0.1:5080",
      "/signin": process.env.ANALYTICS_API ?? "http://127.0.0.1:5080",
    },
  },
});
