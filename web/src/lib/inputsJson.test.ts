import { describe, expect, test } from 'vitest';
import { inputsToJson, parseInputsJson } from './inputsJson';

describe('inputs as JSON', () => {
  test('are written indented, and read back', () => {
    const text = inputsToJson({ name: 'db', users: [{ name: 'ada' }] });
    expect(text).toBe('{\n  "name": "db",\n  "users": [\n    {\n      "name": "ada"\n    }\n  ]\n}\n');
    expect(parseInputsJson(text)).toEqual({ ok: true, inputs: { name: 'db', users: [{ name: 'ada' }] } });
  });

  test.each([
    ['[1, 2]', /one JSON object.*this is an array/],
    ['"db"', /this is a string/],
    ['null', /this is null/],
    ['42', /this is a number/],
  ])('are refused when the JSON is not an object: %s', (text, message) => {
    const parsed = parseInputsJson(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(message);
  });

  test('are refused, saying why, when the text is not JSON', () => {
    const parsed = parseInputsJson('{ "name": ');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/^This is not valid JSON: .+\.$/);
  });
});
