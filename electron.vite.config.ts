import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The Electron entry and the headless CLI share one build, so they share the engine worker chunk.
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        // the app window's bridge (the API) and the start window's (where the app goes)
        input: { index: resolve(__dirname, 'src/preload/index.ts'), start: resolve(__dirname, 'src/preload/start.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html'), start: resolve(__dirname, 'src/renderer/start.html') } },
    },
    plugins: [react()],
  },
});
