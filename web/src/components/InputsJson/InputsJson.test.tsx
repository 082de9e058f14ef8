// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import * as jsonSchema from 'codemirror-json-schema';
import { useState } from 'react';
import { describe, expect, test, vi } from 'vitest';
import type { ParsedInputs } from '../../lib/inputsJson';
import { testQueryClient } from '../../test/render';
import { InputsJson } from './InputsJson';
import { jsonEditor, replaceJson } from './jsonEditorTesting';

vi.mock('codemirror-json-schema', async () => (await import('./jsonEditorTesting')).fakeJsonSchemaModule());

const schema = { type: 'object', properties: { name: { type: 'string', description: 'The **name**' } } };

function Harness({ onChange, start = { name: 'db' } }: { onChange: (parsed: ParsedInputs) => void; start?: Record<string, unknown> }) {
  const [problem, setProblem] = useState<string>();
  const [revision, setRevision] = useState(1);
  const [inputs, setInputs] = useState(start);
  return (
    <QueryClientProvider client={testQueryClient()}>
      <InputsJson
        schema={schema}
        inputs={inputs}
        revision={revision}
        problem={problem}
        onChange={(parsed) => {
          onChange(parsed);
          setProblem(parsed.ok ? undefined : parsed.message);
          if (parsed.ok) setInputs(parsed.inputs);
        }}
      />
      <button type="button" onClick={() => (setInputs({ name: 'from a preset' }), setRevision((r) => r + 1))}>
        Fill
      </button>
    </QueryClientProvider>
  );
}

describe('InputsJson', () => {
  test("loads CodeMirror with the item's schema and the inputs as indented JSON", async () => {
    render(<Harness onChange={vi.fn()} />);
    const view = await jsonEditor();
    expect(view.state.doc.toString()).toBe('{\n  "name": "db"\n}\n');
    expect(vi.mocked(jsonSchema.stateExtensions)).toHaveBeenCalledWith(schema);
    expect(vi.mocked(jsonSchema.jsonSchemaLinter)).toHaveBeenCalled();
    expect(vi.mocked(jsonSchema.jsonCompletion)).toHaveBeenCalled();
    expect(vi.mocked(jsonSchema.jsonSchemaHover)).toHaveBeenCalled();
    const content = screen.getByRole('textbox', { name: 'Inputs as JSON' });
    expect(content.getAttribute('aria-describedby')).toBe('inputs-json-hint');
  });

  test('reports every edit as inputs, or why the text holds none, and shows that', async () => {
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    const view = await jsonEditor();

    replaceJson(view, '{ "name": "pasted", "size": 20 }');
    expect(onChange).toHaveBeenLastCalledWith({ ok: true, inputs: { name: 'pasted', size: 20 } });

    replaceJson(view, '{ "name": ');
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ ok: false }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/not valid JSON.*The form keeps the last inputs that were valid JSON\./);
    expect(screen.getByRole('textbox', { name: 'Inputs as JSON' }).getAttribute('aria-describedby')).toBe(`inputs-json-hint ${alert.id}`);

    replaceJson(view, '["a list"]');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/must be one JSON object.*this is an array/));
  });

  test('starts over from the inputs when they are replaced from outside', async () => {
    render(<Harness onChange={vi.fn()} />);
    replaceJson(await jsonEditor(), '{ "name": "typed" }');
    screen.getByRole('button', { name: 'Fill' }).click();
    await waitFor(async () => expect((await jsonEditor()).state.doc.toString()).toBe('{\n  "name": "from a preset"\n}\n'));
  });
});
