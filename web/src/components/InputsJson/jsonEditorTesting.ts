import { EditorView } from '@codemirror/view';
import { screen } from '@testing-library/react';
import { vi } from 'vitest';

// What tests of the JSON tab share. Not part of the app: only test files import it.

// CodeMirror measures text through Range rectangles, which jsdom (no layout) does not have: empty ones do.
if (typeof Range !== 'undefined' && !Range.prototype.getClientRects) {
  Range.prototype.getClientRects = () => Object.assign([] as DOMRect[], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => new DOMRect();
}

/**
 * Stands in for codemirror-json-schema, which Node cannot import as published (its ES modules import
 * each other without file extensions) and which the app's build rewires (vite.config.ts). The
 * editor's own behaviour is CodeMirror's; what tests check is that it is handed the item's schema.
 */
export const fakeJsonSchemaModule = () => ({
  jsonSchemaLinter: vi.fn(() => () => []),
  jsonCompletion: vi.fn(() => () => null),
  jsonSchemaHover: vi.fn(() => () => null),
  stateExtensions: vi.fn(() => []),
  handleRefresh: vi.fn(() => false),
});

/** The JSON tab's editor, once it has loaded. */
export async function jsonEditor(): Promise<EditorView> {
  const content = await screen.findByRole('textbox', { name: 'Inputs as JSON' });
  const view = EditorView.findFromDOM(content);
  if (!view) throw new Error('no CodeMirror view around the JSON textbox');
  return view;
}

/** Replaces the editor's whole text, as pasting over a selection of all of it does. */
export function replaceJson(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.paste' });
}
