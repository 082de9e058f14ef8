// A validation thread starts here. Threads do not always inherit the parent's TypeScript loader
// (a test runner's is its own), so tsx's scoped import loads the thread's code either way.
import { tsImport } from 'tsx/esm/api';

await tsImport('./validationThread.ts', import.meta.url);
