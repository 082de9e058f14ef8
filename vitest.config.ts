import { defineConfig } from 'vitest/config';

// Tests run real Redis, Docker, git and Chromium side by side on small CI machines: a step that
// takes 300 ms alone can take seconds under that load. Timeouts here catch hangs, not slowness
// (speed is measured in `npm run bench`).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
