// Builds the screens into web/dist, which jiesu serves as they are: hashed files under
// assets/, no inline script or style (the server's CSP allows only same-origin files), no
// file turned into a data: URL.
import { defineConfig } from 'vite';

// The source page tells whoever opens it unbuilt to build it; the built page does not.
const dropUnbuiltHint = {
  name: 'drop-unbuilt-hint',
  transformIndexHtml: (html) => html.replace(/<!-- unbuilt -->[\s\S]*?<!-- \/unbuilt -->/, ''),
};

export default defineConfig({
  base: '/',
  plugins: [dropUnbuiltHint],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1200,
  },
  // `npm run dev`: the screens from source, the API from a running jiesu.
  server: {
    proxy: { '/api': process.env.JIESU_URL || 'http://127.0.0.1:8080' },
  },
});
