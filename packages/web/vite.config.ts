import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built to static files the keycard server serves at its root under a strict CSP
// (default-src 'self'): no inline scripts, so the module-preload polyfill stays out.
export default defineConfig({
  plugins: [preact()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
