import { createSchemaUtils, type RJSFSchema, type SchemaUtilsType } from '@rjsf/utils';
import { useCallback, useMemo, useState, type SetStateAction } from 'react';
import { dropStandIns } from '../../lib/secretFields';
import { defaultsBehavior, withDefaults, type Inputs } from './formState';
import { useItemValidator, type ItemValidator } from './useItemValidator';

/** The inputs of an item's run form, held by the page so every view of them (form, JSON, presets, copies) shares one set. */
export interface ItemInputs {
  /** The version's validator: RJSF derives defaults and picks branches with it. */
  loaded: ItemValidator;
  /** There once the validator is (or has been given up on); until then `inputs` is empty. */
  utils: SchemaUtilsType | undefined;
  inputs: Inputs;
  /** Sets them as the user edits them, in the form or as JSON. */
  setInputs: (next: SetStateAction<Inputs>) => void;
  /** Replaces them with `partial` over the schema's defaults (a preset, a file); secret fields holding a mask or a placeholder are left empty. */
  fill: (partial: Inputs) => void;
  /** Back to the schema's defaults. */
  reset: () => void;
  /** Counts the fills and resets: a view that keeps a copy of its own (the JSON editor) starts over when it moves. */
  revision: number;
}

interface Held {
  utils?: SchemaUtilsType;
  inputs: Inputs;
  revision: number;
}

const filled = (utils: SchemaUtilsType, partial: Inputs) => withDefaults(utils, dropStandIns(utils, partial));

/** The run form's inputs for `schema`, starting from `start` (a job to run again) or the defaults. */
export function useItemInputs(schema: Record<string, unknown>, start?: Inputs): ItemInputs {
  const loaded = useItemValidator(schema);
  const validator = loaded.state === 'loading' ? undefined : loaded.validator;
  const utils = useMemo(() => validator && createSchemaUtils(validator, schema as RJSFSchema, defaultsBehavior), [validator, schema]);
  const [held, setHeld] = useState<Held>({ inputs: {}, revision: 0 });
  if (utils && held.utils !== utils) {
    // The defaults need the validator, so the inputs start when it arrives; a later one keeps what was typed.
    setHeld({ utils, inputs: held.utils ? withDefaults(utils, held.inputs) : filled(utils, start ?? {}), revision: held.revision + 1 });
  }

  const setInputs = useCallback((next: SetStateAction<Inputs>) => setHeld((h) => ({ ...h, inputs: typeof next === 'function' ? next(h.inputs) : next })), []);
  const fill = useCallback((partial: Inputs) => setHeld((h) => (h.utils ? { ...h, inputs: filled(h.utils, partial), revision: h.revision + 1 } : h)), []);
  const reset = useCallback(() => fill({}), [fill]);
  return { loaded, utils: held.utils, inputs: held.inputs, setInputs, fill, reset, revision: held.revision };
}
