import {
  ariaDescribedByIds,
  descriptionId,
  enumOptionSelectedValue,
  enumOptionsDeselectValue,
  enumOptionsIsSelected,
  enumOptionsSelectValue,
  enumOptionValueDecoder,
  enumOptionValueEncoder,
  getOptionValueFormat,
  getTemplate,
  getUiOptions,
  optionId,
  schemaRequiresTrueValue,
  type RegistryWidgetsType,
  type WidgetProps,
} from '@rjsf/utils';
import type { ChangeEvent, FocusEvent } from 'react';
import { SecretInput } from '../SecretInput/SecretInput';

/** The id of a field's visible label, so groups (radios, checkboxes) can point at it. */
export const labelId = (id: string) => `${id}__label`;

const invalid = (rawErrors?: string[]) => (rawErrors && rawErrors.length > 0 ? true : undefined);
const choice = 'size-4 shrink-0 accent-indigo-600 dark:accent-indigo-400';

function SelectWidget(props: WidgetProps) {
  const { id, options, value, required, disabled, readonly, multiple = false, autofocus, onChange, onBlur, onFocus, placeholder, schema, rawErrors, htmlName } = props;
  const { enumOptions, enumDisabled, emptyValue } = options;
  const format = getOptionValueFormat(options);
  const read = (e: ChangeEvent<HTMLSelectElement> | FocusEvent<HTMLSelectElement>) => {
    const raw = multiple ? Array.from(e.target.selectedOptions, (o) => o.value) : e.target.value;
    return enumOptionValueDecoder(raw, enumOptions, format, emptyValue);
  };
  return (
    <select
      id={id}
      name={htmlName || id}
      multiple={multiple}
      className="input"
      value={enumOptionSelectedValue(value, enumOptions, multiple, format, multiple ? [] : '') as string | string[]}
      required={required}
      disabled={disabled || readonly}
      autoFocus={autofocus}
      aria-invalid={invalid(rawErrors)}
      aria-describedby={ariaDescribedByIds(id)}
      onChange={(e) => onChange(read(e))}
      onBlur={(e) => onBlur(id, read(e))}
      onFocus={(e) => onFocus(id, read(e))}
    >
      {!multiple && schema.default === undefined && <option value="">{placeholder || 'Choose…'}</option>}
      {enumOptions?.map(({ value: optionValue, label }, i) => (
        <option key={i} value={enumOptionValueEncoder(optionValue, i, format)} disabled={enumDisabled?.includes(optionValue)}>
          {label}
        </option>
      ))}
    </select>
  );
}

function TextareaWidget({ id, options, placeholder, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, rawErrors, htmlName }: WidgetProps) {
  return (
    <textarea
      id={id}
      name={htmlName || id}
      className="input font-mono"
      value={value ?? ''}
      placeholder={placeholder}
      required={required}
      disabled={disabled}
      readOnly={readonly}
      autoFocus={autofocus}
      rows={typeof options.rows === 'number' ? options.rows : 4}
      aria-invalid={invalid(rawErrors)}
      aria-describedby={ariaDescribedByIds(id)}
      onChange={(e) => onChange(e.target.value === '' ? options.emptyValue : e.target.value)}
      onBlur={(e) => onBlur(id, e.target.value)}
      onFocus={(e) => onFocus(id, e.target.value)}
    />
  );
}

/** The id of the note under a secret field. */
const secretNoteId = (id: string) => `${id}__secret`;

/**
 * A secret input (`writeOnly` in the schema): a password field with a show/hide toggle, and a
 * note that the value will not be seen again. The field override in fields.tsx picks it for every
 * `writeOnly` string, whatever the uiSchema asks for. `enterAgain` (set by the page when it re-runs
 * a job, whose secrets it only ever sees masked) asks for the value anew.
 */
function SecretWidget({ id, options, placeholder, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, rawErrors, htmlName }: WidgetProps) {
  // Only while empty: once typed again, it is a secret like any other.
  const again = options.enterAgain === true && !value;
  return (
    <>
      <SecretInput
        id={id}
        name={htmlName || id}
        value={typeof value === 'string' ? value : ''}
        placeholder={placeholder || (again ? 'enter again' : undefined)}
        required={required}
        disabled={disabled}
        readOnly={readonly}
        autoFocus={autofocus}
        aria-invalid={invalid(rawErrors)}
        aria-describedby={`${ariaDescribedByIds(id)} ${secretNoteId(id)}`}
        onChange={(e) => onChange(e.target.value === '' ? options.emptyValue : e.target.value)}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
      <p id={secretNoteId(id)} className="muted mt-1.5 text-xs">
        <span className="mr-1 rounded bg-slate-100 px-1.5 py-0.5 font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-300">secret</span>
        {again && (
          <span className="mr-1 rounded bg-amber-100 px-1.5 py-0.5 font-semibold text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="enter-again">
            enter again
          </span>
        )}
        {again ? 'The job you are re-running kept it secret, so type it anew. ' : ''}Encrypted at rest, masked in logs; never shown again.
      </p>
    </>
  );
}

/** A single boolean: the label sits next to the box; the description above it unless the field template shows it. */
function CheckboxWidget(props: WidgetProps) {
  const { id, value, disabled, readonly, label, hideLabel, autofocus, onChange, onBlur, onFocus, schema, uiSchema, options, registry, required, rawErrors, htmlName } = props;
  const DescriptionFieldTemplate = getTemplate('DescriptionFieldTemplate', registry, options);
  const description = getUiOptions(uiSchema).widget === 'checkbox' ? undefined : (options.description ?? schema.description);
  const mustBeTrue = schemaRequiresTrueValue(schema) && required;
  return (
    <div>
      {!hideLabel && description && (
        <DescriptionFieldTemplate id={descriptionId(id)} description={description} schema={schema} uiSchema={uiSchema} registry={registry} />
      )}
      <label className="inline-flex items-center gap-2 text-sm font-medium">
        <input
          type="checkbox"
          id={id}
          name={htmlName || id}
          className={choice}
          checked={value === true}
          required={mustBeTrue}
          disabled={disabled || readonly}
          autoFocus={autofocus}
          aria-invalid={invalid(rawErrors)}
          aria-describedby={ariaDescribedByIds(id)}
          onChange={(e) => onChange(e.target.checked)}
          onBlur={(e) => onBlur(id, e.target.checked)}
          onFocus={(e) => onFocus(id, e.target.checked)}
        />
        {!hideLabel && (
          <span>
            {label}
            {mustBeTrue && <span aria-hidden="true" className="ml-0.5 text-red-700 dark:text-red-400">*</span>}
          </span>
        )}
      </label>
    </div>
  );
}

/** Radio buttons or checkboxes for enum options, as a group named by the field's label. */
function ChoiceGroup({ props, kind }: { props: WidgetProps; kind: 'radio' | 'checkbox' }) {
  const { id, options, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, rawErrors, htmlName } = props;
  const { enumOptions, enumDisabled, inline, emptyValue } = options;
  const format = getOptionValueFormat(options);
  const selected: unknown[] = kind === 'checkbox' ? (Array.isArray(value) ? value : []) : [];
  const decode = (raw: string) => enumOptionValueDecoder(raw, enumOptions, format, emptyValue);
  return (
    <div
      id={id}
      role={kind === 'radio' ? 'radiogroup' : 'group'}
      aria-labelledby={labelId(id)}
      aria-describedby={ariaDescribedByIds(id)}
      aria-invalid={kind === 'radio' ? invalid(rawErrors) : undefined}
      className={inline ? 'flex flex-wrap gap-x-5 gap-y-2' : 'flex flex-col gap-2'}
    >
      {enumOptions?.map((option, i) => {
        const checked = kind === 'radio' ? enumOptionsIsSelected(option.value, value) : enumOptionsIsSelected(option.value, selected);
        const toggle = (on: boolean) =>
          kind === 'radio'
            ? onChange(option.value)
            : onChange(on ? enumOptionsSelectValue(i, selected, enumOptions) : enumOptionsDeselectValue(i, selected, enumOptions));
        return (
          <label key={i} className="inline-flex items-center gap-2 text-sm">
            <input
              type={kind}
              id={optionId(id, i)}
              name={htmlName || id}
              className={choice}
              checked={checked}
              value={enumOptionValueEncoder(option.value, i, format)}
              required={kind === 'radio' && required}
              disabled={disabled || readonly || enumDisabled?.includes(option.value)}
              autoFocus={autofocus && i === 0}
              onChange={(e) => toggle(e.target.checked)}
              onBlur={(e) => onBlur(id, decode(e.target.value))}
              onFocus={(e) => onFocus(id, decode(e.target.value))}
            />
            <span>{option.label}</span>
          </label>
        );
      })}
    </div>
  );
}

const RadioWidget = (props: WidgetProps) => <ChoiceGroup props={props} kind="radio" />;
const CheckboxesWidget = (props: WidgetProps) => <ChoiceGroup props={props} kind="checkbox" />;

/** The id of the note under a slider whose value it cannot show. */
const rangeNoteId = (id: string) => `${id}__range`;

/**
 * A slider with its current value shown (and announced) next to it. A browser's slider cannot
 * show a value past its ends (one typed as JSON, a preset, a re-run job): it sits at the end
 * while the value stays what it is, so the note says so and the value (refused by the schema's
 * `maximum`/`minimum`) is not silently replaced.
 */
function RangeWidget(props: WidgetProps) {
  const { BaseInputTemplate } = props.registry.templates;
  const { id, value, schema } = props;
  const above = typeof value === 'number' && typeof schema.maximum === 'number' && value > schema.maximum;
  const below = typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum;
  const capped = above ? `more than the maximum, ${schema.maximum}: the slider is capped at ${schema.maximum}` : below ? `less than the minimum, ${schema.minimum}: the slider stops at ${schema.minimum}` : undefined;
  return (
    <>
      <div className="flex items-center gap-3">
        <BaseInputTemplate {...props} type="range" options={capped ? { ...props.options, describedBy: rangeNoteId(id) } : props.options} />
        <output htmlFor={id} className="min-w-10 text-right font-mono text-sm tabular-nums">
          {value ?? '—'}
        </output>
      </div>
      {capped && (
        <p id={rangeNoteId(id)} className="mt-1.5 text-sm text-amber-900 dark:text-amber-200" data-testid="range-capped">
          The value is {String(value)}, {capped}. Move the slider to choose a value the form accepts.
        </p>
      )}
    </>
  );
}

export const widgets: RegistryWidgetsType = {
  SelectWidget,
  TextareaWidget,
  CheckboxWidget,
  CheckboxesWidget,
  RadioWidget,
  RangeWidget,
  SecretWidget,
};
