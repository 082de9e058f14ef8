import type { DescriptorAnswer, Problem } from '@shelf/contract';
import { schemaParser, type RJSFSchema } from '@rjsf/utils';
import getDiscriminatorFieldFromSchema from '@rjsf/utils/lib/getDiscriminatorFieldFromSchema.js';
import ParserValidator from '@rjsf/utils/lib/parser/ParserValidator.js';
import getFirstMatchingOption from '@rjsf/utils/lib/schema/getFirstMatchingOption.js';
import { relaxOptionsForScoring, resolveAllReferences } from '@rjsf/utils/lib/schema/retrieveSchema.js';
import { customizeValidator, type ValidatorFunctions } from '@rjsf/validator-ajv8';
import { QueryClientProvider } from '@tanstack/react-query';
import { screen } from '@testing-library/react';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { useState, type ComponentProps, type ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { queryKeys } from '../../api/queryKeys';
import { testQueryClient } from '../../test/render';
import type { Inputs } from './formState';
import { ItemForm } from './ItemForm';
import { useItemInputs } from './useItemInputs';

// What the form's tests share. Not part of the app: only test files import it.

type AjvClass = NonNullable<NonNullable<Parameters<typeof customizeValidator>[0]>['AjvClass']>;

const dataKeywords = new Set(['default', 'const', 'enum', 'examples']);

/**
 * For tests only: a module shaped like the API's `validator.js` for `schema`, with a function for
 * each schema the API compiles one for (the same walk as api/src/validators/collectSchemas.ts,
 * which the web cannot import). The functions are compiled here, in Node, where no CSP applies;
 * the API ships them precompiled, with the server's ajv options.
 */
export function testValidatorModule(schema: Record<string, unknown>): { default: ValidatorFunctions } {
  const root = schema as RJSFSchema;
  const recorder = new ParserValidator(root);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const s = node as RJSFSchema;
    for (const options of [s.oneOf, s.anyOf]) {
      if (!Array.isArray(options)) continue;
      for (const list of [relaxOptionsForScoring(options, true, root), options.filter((o) => typeof o === 'object')]) {
        getFirstMatchingOption(recorder, {}, list.map((o) => resolveAllReferences(o, root, [])), root, getDiscriminatorFieldFromSchema(s));
      }
    }
    if (typeof s.if === 'object') recorder.isValid(s.if, {}, root);
    for (const [key, value] of Object.entries(s)) if (!dataKeywords.has(key)) visit(value);
  };
  visit(root);

  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const { ajv } = customizeValidator(is2020 ? { AjvClass: Ajv2020 as unknown as AjvClass } : {});
  const functions: ValidatorFunctions = {};
  for (const [key, each] of Object.entries({ ...recorder.getSchemaMap(), ...schemaParser(root) })) functions[key] = ajv.compile(each);
  return { default: functions };
}

/**
 * Wraps the form as the item page shows it: at /catalog/db, with the page's descriptor of `latest`
 * (version 1.2.0, whose schema is `schema`) already loaded.
 */
export function itemPageWrapper(schema: Record<string, unknown>) {
  const client = testQueryClient();
  const descriptor = { manifest: { id: 'db', version: '1.2.0' }, schema } as unknown as DescriptorAnswer;
  client.setQueryData(queryKeys.descriptor('db', 'latest'), descriptor);
  return function ItemPageWrapper({ children }: { children: ReactNode }) {
    return (
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={['/catalog/db']}>
          <Routes>
            <Route path="/catalog/:id" element={children} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    );
  };
}

/** A field's label, with or without the required marker (which screen readers skip: the input says it is required). */
export const L = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\*?$`);

/** The block of one field: its label, widget, errors and help. */
export const fieldBlock = (label: string) => screen.getByLabelText(L(label)).closest('.mb-5') as HTMLElement;

type StandaloneProps = Omit<ComponentProps<typeof ItemForm>, 'form' | 'serverProblems'> & { serverProblems?: Problem[]; start?: Inputs };

/**
 * The form holding its own inputs (from `start`, as a re-run starts), as the item page holds them (useItemInputs), and remembering what
 * it last submitted, which the server's `serverProblems` are taken to be about.
 */
export function StandaloneItemForm({ serverProblems, onSubmit, start, ...props }: StandaloneProps) {
  const form = useItemInputs(props.schema, start);
  const [judged, setJudged] = useState<Inputs>({});
  const submit = (inputs: Inputs) => {
    setJudged(inputs);
    return onSubmit(inputs);
  };
  return <ItemForm {...props} form={form} onSubmit={submit} serverProblems={serverProblems && { problems: serverProblems, judged }} />;
}
