import { defineConfig } from "vite";

// The AppHost's dashboard (dashboard/): a second build of this same toolchain into dist-dashboard, which the AppHost
// copies beside itself and serves. It shares src/'s helpers, styles and ECharts.
export default defineConfig({
  root: "dashboard",
  base: "/",
  build: { outDir: "../dist-dashboard", assetsDir: "static", emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
});
