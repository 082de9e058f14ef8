import Form, { type IChangeEvent } from '@rjsf/core';
import type { RJSFSchema, RJSFValidationError, SchemaUtilsType, UiSchema } from '@rjsf/utils';
import { useMemo, useRef, useState } from 'react';
import { errorText, Loading } from '../QueryState/QueryState';
import { fields } from './fields';
import { humanError, inFormOrder } from './messages';
import { defaultsBehavior, fieldId, idPrefix, settleChange, type Inputs } from './formState';
import { problemsToErrorSchema, unresolvedProblems, type ServerProblems } from './serverErrors';
import { templates } from './templates';
import type { ItemInputs } from './useItemInputs';
import { widgets } from './widgets';

interface Props {
  /** The inputs, held by the page (see useItemInputs) so its other views of them stay in step. */
  form: ItemInputs;
  schema: Record<string, unknown>;
  uiSchema: Record<string, unknown>;
  /**
   * Sends the inputs. Resolving to true means the server took them: the form then starts afresh,
   * so a secret (`writeOnly`) value stays in the page no longer than it takes to send it.
   */
  onSubmit: (inputs: Inputs) => void | Promise<boolean>;
  /** Problems from the server's 422, shown under their fields until the user changes them. */
  serverProblems?: ServerProblems;
  submitting?: boolean;
  submitText?: string;
  /** Why this user may not submit (the button is disabled), and the id of the text that says so. */
  blocked?: { reason: string; describedBy: string };
}

/**
 * The generated form of an item: its JSON Schema and uiSchema rendered with Shelf's templates,
 * validated as the user types by the same ajv rules the server applies (precompiled by the API
 * for the version the page shows).
 */
export function ItemForm(props: Props) {
  const { loaded, utils } = props.form;
  if (!utils) return <Loading label="Loading the form…" />;
  return (
    <>
      {loaded.state === 'failed' && (
        <p role="alert" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          The form&apos;s checks could not be loaded ({errorText(loaded.error)}), so mistakes show only after you submit, and fields that
          depend on other answers may not update. The server still checks every input when you submit.
        </p>
      )}
      <ValidatedForm {...props} utils={utils} />
    </>
  );
}

function ValidatedForm({ form, schema, uiSchema, onSubmit, serverProblems, submitting = false, submitText = 'Run', blocked, utils }: Props & { utils: SchemaUtilsType }) {
  const { inputs: formData, setInputs, reset } = form;
  const [attempted, setAttempted] = useState(false);
  const attemptedRef = useRef(false);
  const touched = useRef(new Set<string>());
  // RJSF validates a change before it reports it: the field in focus is the one being changed.
  const focused = useRef<string | undefined>(undefined);
  const shows = (id: string) => attemptedRef.current || touched.current.has(id) || focused.current === id;

  const extraErrors = useMemo(
    () => problemsToErrorSchema(serverProblems ? unresolvedProblems(serverProblems.problems, serverProblems.judged, formData) : []),
    [serverProblems, formData],
  );

  const ui = useMemo<UiSchema>(
    () => ({
      ...uiSchema,
      'ui:submitButtonOptions': {
        submitText: submitting ? 'Submitting…' : submitText,
        props: { disabled: submitting || !!blocked, title: blocked?.reason, 'aria-describedby': blocked?.describedBy },
      },
    }),
    [uiSchema, submitting, submitText, blocked],
  );

  // `if` failures only repeat the specific errors of the branch; before the first submit, only
  // fields the user has changed report problems, so a fresh form is not covered in red (leaving a
  // field does not count: moving on from the autofocused first field would cover it in red). Each
  // in words naming the field, in the order of the fields: the summary lists them so, RJSF focuses the first.
  const transformErrors = (errors: RJSFValidationError[]) =>
    inFormOrder(errors.filter((e) => e.name !== 'if' && shows(fieldId(e.property))).map((e) => humanError(schema, e)));

  const markAttempted = () => {
    attemptedRef.current = true;
    setAttempted(true);
  };

  const submit = async (inputs: Inputs) => {
    if ((await onSubmit(inputs)) !== true) return;
    // The server has the inputs: the form starts afresh, so no secret (writeOnly) value stays in the
    // page, and the next run asks for its secrets again.
    reset();
    touched.current.clear();
    attemptedRef.current = false;
    setAttempted(false);
  };

  return (
    <div className="shelf-form" onSubmitCapture={markAttempted}>
      <Form
        schema={schema as RJSFSchema}
        uiSchema={ui}
        formData={formData}
        validator={utils.getValidator()}
        templates={templates}
        widgets={widgets}
        fields={fields}
        idPrefix={idPrefix}
        liveValidate="onChange"
        showErrorList={attempted ? 'top' : false}
        focusOnFirstError
        noHtml5Validate
        omitExtraData
        experimental_defaultFormStateBehavior={defaultsBehavior}
        transformErrors={transformErrors}
        onError={() => {
          // The error list and the fields show a failed submit; without a handler RJSF also logs it.
        }}
        extraErrors={extraErrors}
        onChange={(e: IChangeEvent<Inputs>, id?: string) => {
          if (id) touched.current.add(id);
          setInputs((prev) => settleChange(utils, prev, e.formData ?? {}, id));
        }}
        onFocus={(id: string) => (focused.current = id)}
        onBlur={() => (focused.current = undefined)}
        onSubmit={(e: IChangeEvent<Inputs>) => void submit(e.formData ?? {})}
      />
    </div>
  );
}
