import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// `npm run dev:web` proxies the API and MQTT to a hub started with `npm start` (docs/web.md).
const hub = process.env['ECOHUB_DEV_HUB'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // uPlot and MQTT.js are the bulk; one chunk each keeps the app's own code small and cacheable.
    chunkSizeWarningLimit: 600,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: {
    proxy: {
      '/v1': hub,
      '/openapi.json': hub,
      '/mqtt': { target: hub.replace(/^http/, 'ws'), ws: true },
    },
  },
});
