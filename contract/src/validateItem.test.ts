import { describe, expect, it } from 'vitest';
import { validateItem } from './validateItem.js';
import { latestVersion, parseItemTag } from './versions.js';
import { parseMemory } from './manifest.js';
import { parseApprovalTimeout } from './approval.js';

const manifest = (extra = '') =>
  `id: hello\nname: Hello\nversion: 1.0.0\nruntime:\n  image: shelf/runtime-shell:1\n  command: [bash, main.sh]\n${extra}`;
const schema = JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } });

describe('validateItem', () => {
  it('accepts a valid item and returns its parts', () => {
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(), schema, readme: '# Hi' });
    expect(r.ok && r.item.manifest.id).toBe('hello');
    expect(r.ok && r.item.uiSchema).toEqual({});
  });

  it('refuses unknown fields at every level, naming the JSON path', () => {
    const r = validateItem({
      manifestFile: 'manifest.yaml',
      manifest: manifest('privileged: true\nresources: { memory: 1Gi, hostPath: / }\n'),
      schema,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        { file: 'manifest.yaml', path: '/privileged', message: 'unknown field "privileged"' },
        { file: 'manifest.yaml', path: '/resources/hostPath', message: 'unknown field "hostPath"' },
      ]),
    );
  });

  it('defuses a YAML alias bomb instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = process.memoryUsage().heapUsed;
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: levels.join('\n'), schema });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.message).toMatch(/alias/i);
    expect(process.memoryUsage().heapUsed - started).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses remote $ref, patterns RE2 cannot run and schemas ajv cannot compile', () => {
    const bad = JSON.stringify({
      type: 'object',
      properties: {
        a: { $ref: 'https://example.com/evil.json' },
        b: { type: 'string', pattern: '(a)\\1' },
        c: { type: 'strin' },
      },
    });
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(), schema: bad });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => `${p.file}${p.path}`);
    expect(paths).toContain('schema.json/properties/a/$ref');
    expect(paths).toContain('schema.json/properties/b/pattern');
    expect(paths.some((p) => p.startsWith('schema.json/properties/c'))).toBe(true);
  });

  it('lets the Git tag decide the version and refuses a disagreeing manifest', () => {
    const r = validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(), schema }, { tagVersion: '1.1.0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toMatch(/disagrees with the tag's version 1\.1\.0/);
    const noVersion = manifest().replace('version: 1.0.0\n', '');
    const ok = validateItem({ manifestFile: 'manifest.yaml', manifest: noVersion, schema }, { tagVersion: '2.0.0' });
    expect(ok.ok && ok.item.manifest.version).toBe('2.0.0');
  });

  it('requires a schema and an object uiSchema, and parses manifest.json too', () => {
    const json = JSON.stringify({ id: 'hello', name: 'H', version: '1.0.0', runtime: { image: 'x', command: ['y'] } });
    const r = validateItem({ manifestFile: 'manifest.json', manifest: json, uiSchema: '"x"' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.file)).toEqual(['schema.json', 'ui-schema.json']);
  });
});

describe('versions', () => {
  it('picks the highest stable version, a prerelease only when alone', () => {
    expect(latestVersion(['1.0.0', '1.10.0', '1.9.0', '2.0.0-rc.1'])).toBe('1.10.0');
    expect(latestVersion(['2.0.0-rc.1', '2.0.0-rc.2'])).toBe('2.0.0-rc.2');
  });
  it('parses item tags and refuses others', () => {
    expect(parseItemTag('hello-world@1.2.0')).toEqual({ id: 'hello-world', version: '1.2.0' });
    expect(parseItemTag('v1.2.0')).toBeNull();
    expect(parseItemTag('hello@1.2')).toBeNull();
    expect(parseItemTag('../x@1.0.0')).toBeNull();
  });
  it('parses memory quantities', () => {
    expect(parseMemory('256Mi')).toBe(256 * 1024 * 1024);
    expect(parseMemory('1G')).toBe(1e9);
    expect(() => parseMemory('lots')).toThrow();
  });
});

describe('the approval policy', () => {
  const check = (approval: string) => validateItem({ manifestFile: 'manifest.yaml', manifest: manifest(`approval:\n${approval}`), schema });
  const problemsOf = (approval: string) => {
    const r = check(approval);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('accepts approvers with the optional count and timeout', () => {
    const r = check('  approvers: ["group:dba", "user:Carol", "role:admin"]\n  minApprovals: 2\n  timeout: 7d\n');
    expect(r.ok && r.item.manifest.approval).toEqual({ approvers: ['group:dba', 'user:Carol', 'role:admin'], minApprovals: 2, timeout: '7d' });
    expect(check('  approvers: ["role:admin"]\n').ok).toBe(true);
  });

  it.each([
    ['  approvers: []\n', '/approval/approvers'],
    ['  approvers: ["everyone"]\n', '/approval/approvers/0'],
    ['  approvers: ["role:superuser"]\n', '/approval/approvers/0'],
    ['  approvers: ["group:dba"]\n  minApprovals: 0\n', '/approval/minApprovals'],
    ['  approvers: ["group:dba"]\n  timeout: 24\n', '/approval/timeout'],
    ['  approvers: ["group:dba"]\n  timeout: 1h30m\n', '/approval/timeout'],
    ['  approvers: ["group:dba"]\n  timeout: 0s\n', '/approval/timeout'],
    ['  approvers: ["group:dba"]\n  timeout: 31d\n', '/approval/timeout'],
    ['  approvers: ["group:dba"]\n  quorum: 2\n', '/approval/quorum'],
    ['  minApprovals: 1\n', '/approval/approvers'],
  ])('refuses %j at %s', (approval, path) => {
    expect(problemsOf(approval).some((p) => p.startsWith(`${path}: `))).toBe(true);
  });
});

describe('parseApprovalTimeout', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['24h', 86_400],
    ['7d', 604_800],
    ['0h', null],
    ['1.5h', null],
    ['h', null],
    ['24H', null],
  ])('%s → %s', (text, seconds) => {
    expect(parseApprovalTimeout(text)).toBe(seconds);
  });
});
