import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Two pages, each its own HTML entry; the API serves dist/ (apps/api/src/adapter/in/web/webPages.ts).
export default defineConfig({
  build: {
    target: 'es2022',
    // No inline data: assets: the pages' Content-Security-Policy allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        member: fileURLToPath(new URL('index.html', import.meta.url)),
        console: fileURLToPath(new URL('console.html', import.meta.url)),
      },
    },
  },
});
