import type { DescriptorAnswer, JobDetailAnswer } from '@shelf/contract';
import { vi } from 'vitest';

// Fixtures the item page's tests share. Not part of the app: only test files import it.

export const descriptor: DescriptorAnswer = {
  manifest: { id: 'hello-world', name: 'Hello World', version: '1.2.0', description: 'Greets', owner: 'platform', tags: ['demo'], runtime: { image: 'shelf/runtime-shell:1', command: ['bash', 'main.sh'] } },
  schema: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', title: 'Name', default: 'world' }, times: { type: 'integer', title: 'Times', default: 3 } },
  },
  uiSchema: {},
  readme: '# Hello',
  digest: 'a'.repeat(64),
  source: { kind: 'local', path: 'catalog-examples/hello-world', importedAt: '2025-01-01T00:00:00Z', importedBy: 'local' },
  canRun: { allowed: true },
};

/** The same item with a secret input. */
export const secretive: DescriptorAnswer = {
  ...descriptor,
  schema: {
    type: 'object',
    required: ['name', 'password'],
    properties: {
      name: { type: 'string', title: 'Name', default: 'world' },
      times: { type: 'integer', title: 'Times', default: 3 },
      password: { type: 'string', title: 'Admin password', writeOnly: true },
    },
  },
};

export const versions = { items: [{ version: '1.2.0', digest: 'a'.repeat(64), source: descriptor.source, createdAt: '2025-01-01T00:00:00Z' }] };

/** A finished job of the item, as `GET /api/jobs/:id` shows it: secrets masked. */
export function jobOf(inputs: Record<string, unknown>, over: Partial<JobDetailAnswer> = {}): JobDetailAnswer {
  return {
    id: 'c0ffee'.padEnd(32, '0'),
    itemId: 'hello-world',
    version: '1.2.0',
    state: 'SUCCEEDED',
    inputs,
    createdAt: '2025-01-02T00:00:00Z',
    submittedBy: { id: 'u-alice', username: 'alice' },
    ...over,
  } as JobDetailAnswer;
}

/** Stands in for the clipboard; undefined takes it away. */
export function withClipboard(writeText: ((text: string) => Promise<void>) | undefined) {
  Object.defineProperty(navigator, 'clipboard', { value: writeText && { writeText }, configurable: true });
}

/** A fake clipboard that keeps what was written. */
export function fakeClipboard() {
  const writeText = vi.fn(async (_text: string) => undefined);
  withClipboard(writeText);
  return writeText;
}
