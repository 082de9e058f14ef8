import { fieldLabel, inputErrorMessage } from '@shelf/contract';
import { toPath, type RJSFValidationError } from '@rjsf/utils';
import { fieldId } from './formState';

/** `.users.0.name` (an RJSF error property) → `/users/0/name`. */
export const errorPointer = (property: string | undefined) => toPath(property ?? '').filter(Boolean).map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * An RJSF error with contract's sentence for it (the one POST /api/jobs answers too), naming the
 * field by its uiSchema or schema title (RJSF's `title`, else the schema's, branches included).
 */
export function humanError(schema: Record<string, unknown>, error: RJSFValidationError): RJSFValidationError {
  const label = error.title || fieldLabel(schema, errorPointer(error.property));
  const message = inputErrorMessage({ keyword: error.name ?? '', params: (error.params ?? {}) as Record<string, unknown>, message: error.message }, label);
  return { ...error, message, stack: message };
}

/** Errors in the order their fields appear in the form; errors of fields not on the page last. */
export function inFormOrder(errors: RJSFValidationError[]): RJSFValidationError[] {
  const placed = errors.map((error) => ({ error, element: document.getElementById(fieldId(error.property)) }));
  return placed
    .sort((a, b) => {
      if (a.element === b.element) return 0;
      if (!a.element || !b.element) return a.element ? -1 : b.element ? 1 : 0;
      return a.element.compareDocumentPosition(b.element) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    })
    .map((p) => p.error);
}
