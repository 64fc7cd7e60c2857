import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Served by the backend at /console (app/console.py); the API is on the same origin.
export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
})
