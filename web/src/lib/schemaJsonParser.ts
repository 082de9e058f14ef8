import { parseJSONDocumentState } from 'codemirror-json-schema';

// codemirror-json-schema's parsers/index hands out a parser per mode, so it imports its JSON5 and YAML
// ones too (yaml, json5, codemirror-json5: a quarter of the editor's chunk). The run form edits JSON
// only: vite.config.ts gives the library's features this module instead.
export const getDefaultParser = () => parseJSONDocumentState;
