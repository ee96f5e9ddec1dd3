import { defineConfig } from "vite";

// The Tauri shell embeds ui/dist at compile time (tauri.conf.json: frontendDist).
export default defineConfig({
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "safari15", sourcemap: false },
  server: { port: 5173, strictPort: true },
  test: { environment: "jsdom", include: ["tests/**/*.test.ts"] },
} as never);
