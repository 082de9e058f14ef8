import { json, jsonLanguage, jsonParseLinter } from '@codemirror/lang-json';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { handleRefresh, jsonCompletion, jsonSchemaHover, jsonSchemaLinter, stateExtensions } from 'codemirror-json-schema';

// Colours follow the page's theme through light-dark(): the root's color-scheme is what the theme
// toggle sets, so the editor needs no theme state of its own. CodeMirror mounts these rules as a
// constructed stylesheet (adoptedStyleSheets), which the CSP's `style-src 'self'` allows.
const theme = EditorView.theme({
  '&': { fontSize: '0.8125rem', color: 'inherit', backgroundColor: 'transparent', maxHeight: '32rem' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { minHeight: '14rem', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '.cm-content': { caretColor: 'currentColor' },
  '.cm-cursor': { borderLeftColor: 'currentColor' },
  '.cm-gutters': { backgroundColor: 'transparent', color: 'light-dark(#64748b, #94a3b8)', borderRight: '1px solid light-dark(#e2e8f0, #334155)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'light-dark(#f1f5f9, #1e293b)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'light-dark(#c7d2fe, #3730a3)' },
  '.cm-tooltip': {
    color: 'light-dark(#0f172a, #f1f5f9)',
    backgroundColor: 'light-dark(#ffffff, #0f172a)',
    border: '1px solid light-dark(#cbd5e1, #475569)',
    borderRadius: '0.375rem',
    maxWidth: '28rem',
  },
  '.cm-tooltip-hover, .cm-tooltip-lint': { padding: '0.375rem 0.5rem' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { color: '#ffffff', backgroundColor: 'light-dark(#4f46e5, #6366f1)' },
  '.cm-diagnostic-error': { borderLeftColor: 'light-dark(#b91c1c, #f87171)' },
  '.cm-lintRange-error': { textDecorationColor: 'light-dark(#b91c1c, #f87171)' },
  '.cm-panels': { color: 'inherit', backgroundColor: 'light-dark(#f8fafc, #1e293b)' },
});

// Each at least 4.5:1 against the card's white or slate-900.
const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: 'light-dark(#1d4ed8, #93c5fd)' },
  { tag: tags.string, color: 'light-dark(#047857, #6ee7b7)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'light-dark(#b45309, #fcd34d)' },
  { tag: [tags.brace, tags.squareBracket, tags.separator], color: 'light-dark(#475569, #94a3b8)' },
]);

/**
 * A JSON editor that knows the item's schema (codemirror-json-schema): completion of field names
 * and values (Ctrl-Space), a field's description on hover, and the schema's errors under the text
 * as it is typed. Tab is left to move focus out: a keyboard user must be able to leave the editor.
 */
export function jsonEditorExtensions(schema: Record<string, unknown>, onText: (text: string) => void): Extension[] {
  return [
    basicSetup,
    json(),
    linter(jsonParseLinter(), { delay: 300 }),
    linter(jsonSchemaLinter(), { delay: 300, needsRefresh: handleRefresh }),
    jsonLanguage.data.of({ autocomplete: jsonCompletion() }),
    hoverTooltip(jsonSchemaHover()),
    stateExtensions(schema),
    syntaxHighlighting(highlight),
    theme,
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onText(update.state.doc.toString());
    }),
  ];
}
