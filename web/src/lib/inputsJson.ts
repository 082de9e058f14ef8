type Inputs = Record<string, unknown>;

/** Inputs as the JSON tab and downloads show them: indented, one field a line. */
export const inputsToJson = (inputs: Inputs): string => `${JSON.stringify(inputs, null, 2)}\n`;

export type ParsedInputs = { ok: true; inputs: Inputs } | { ok: false; message: string };

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** The inputs in a JSON text (the editor's, an uploaded file's), or why it holds none: they are one JSON object. */
export function parseInputsJson(text: string): ParsedInputs {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `This is not valid JSON: ${(err as Error).message.replace(/\.$/, '')}.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `The inputs must be one JSON object, like { "name": "value" }; this is ${kindOf(value)}.` };
  }
  return { ok: true, inputs: value as Inputs };
}
