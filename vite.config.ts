import { defineConfig } from 'vite';

/** Where `npm run dev` sends API calls: the server started by `npm start` (or SERVER_URL). */
const serverUrl = process.env.SERVER_URL ?? 'http://127.0.0.1:3000';

// The web app lives in web/; the server serves web/dist at `/` after `npm run build:web`.
export default defineConfig({
  root: 'web',
  // Vite's own transform compiles TSX for React's automatic runtime: no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      '/auth': serverUrl,
      '/rest': serverUrl,
      '/functions': serverUrl,
      '/imports': serverUrl,
      '/config.json': serverUrl,
      '/realtime': { target: serverUrl, ws: true },
    },
  },
});
