import { defineConfig } from 'vite';

// The portal is served by the Nubo server at /ui/. `npm run dev` proxies the API to a local `nubo up`.
export default defineConfig({
  base: '/ui/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    target: 'es2022', // noVNC uses top-level await
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8773',
      '/portal': { target: 'http://127.0.0.1:8773', ws: true },
    },
  },
});
