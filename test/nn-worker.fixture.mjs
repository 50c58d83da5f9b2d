// Worker shim: Node 20 workers do not inherit tsx's ESM hooks, so load the TypeScript entry via tsx's API.
import { tsImport } from 'tsx/esm/api';
await tsImport('./nn-worker.fixture.ts', import.meta.url);
