// The dashboard's build: a static single-page app in web/dist, served by the api (src/api/routes/dashboard.ts)
// under a CSP that allows scripts and styles from 'self' only. So the output must hold no inline script or
// style and no data: URL for anything but images: assets are always emitted as hashed files under /assets/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline an asset as a data: URL (fonts and scripts from data: are refused by the CSP).
    assetsInlineLimit: 0,
    // Source maps would expose the sources to no one's benefit; the repository is public anyway.
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `npm run dev:web`: the dashboard with hot reload, its /api calls sent to a running api (same-origin for cookies).
    proxy: { '/api': { target: process.env.PORTCULLIS_API_URL ?? 'http://localhost:4001', changeOrigin: false } },
  },
});
