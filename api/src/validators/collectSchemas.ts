import type { RJSFSchema } from '@rjsf/utils';
import getDiscriminatorFieldFromSchema from '@rjsf/utils/lib/getDiscriminatorFieldFromSchema.js';
import ParserValidator from '@rjsf/utils/lib/parser/ParserValidator.js';
import schemaParser from '@rjsf/utils/lib/parser/schemaParser.js';
import getFirstMatchingOption from '@rjsf/utils/lib/schema/getFirstMatchingOption.js';
import { relaxOptionsForScoring, resolveAllReferences } from '@rjsf/utils/lib/schema/retrieveSchema.js';

// Their values are data, not schemas.
const dataKeywords = new Set(['default', 'const', 'enum', 'examples']);

/**
 * Every schema a form of `root` asks its validator about, each with the `$id` RJSF looks it up by
 * (its own, or RJSF's hash of it). RJSF's schemaParser finds those that rendering asks about. On
 * submit, omitExtraData also scores the options of each `oneOf`/`anyOf` — those of `dependencies`
 * too, which the parser never reaches — and evaluates each `if`; those are recorded here by running
 * RJSF's own option matching against a validator that records instead of validating.
 */
export function collectSchemas(root: RJSFSchema): RJSFSchema[] {
  const recorder = new ParserValidator(root);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const schema = node as RJSFSchema;
    for (const options of [schema.oneOf, schema.anyOf]) {
      if (!Array.isArray(options)) continue;
      // As omitExtraData scores them (additionalProperties relaxed), and as the fields match them.
      const scored = relaxOptionsForScoring(options, true, root);
      const plain = options.filter((o) => typeof o === 'object');
      for (const list of [scored, plain]) {
        // The recorder matches nothing, so every option is tried (and recorded) as matching builds it.
        getFirstMatchingOption(recorder, {}, list.map((o) => resolveAllReferences(o, root, [])), root, getDiscriminatorFieldFromSchema(schema));
      }
    }
    if (typeof schema.if === 'object') recorder.isValid(schema.if, {}, root);
    for (const [key, value] of Object.entries(schema)) if (!dataKeywords.has(key)) visit(value);
  };
  visit(root);
  return Object.values({ ...recorder.getSchemaMap(), ...schemaParser(root) });
}
