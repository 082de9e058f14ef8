import {
  ADDITIONAL_PROPERTY_FLAG,
  ariaDescribedByIds,
  buttonId,
  canExpand,
  descriptionId,
  errorId,
  examplesId,
  getInputProps,
  getSubmitButtonOptions,
  getTemplate,
  getUiOptions,
  helpId,
  titleId,
  type ArrayFieldItemTemplateProps,
  type ArrayFieldTemplateProps,
  type BaseInputTemplateProps,
  type DescriptionFieldProps,
  type ErrorListProps,
  type FieldErrorProps,
  type FieldHelpProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type MultiSchemaFieldTemplateProps,
  type ObjectFieldTemplateProps,
  type SubmitButtonProps,
  type TemplatesType,
  type TitleFieldProps,
} from '@rjsf/utils';
import type { CSSProperties } from 'react';
import { fieldId } from './formState';
import { labelId } from './widgets';

function Required() {
  return (
    <span aria-hidden="true" className="ml-0.5 text-red-700 dark:text-red-400">
      *
    </span>
  );
}

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, uiSchema, schema, classNames, style, onKeyRenameBlur, onRemoveProperty, registry, readonly, disabled } = props;
  if (hidden) return <div className="hidden">{children}</div>;
  const isCheckbox = getUiOptions(uiSchema).widget === 'checkbox';
  const additional = ADDITIONAL_PROPERTY_FLAG in schema;
  const { RemoveButton } = registry.templates.ButtonTemplates;
  return (
    <div className={`mb-5 last:mb-0 ${classNames ?? ''}`} style={style as CSSProperties}>
      {additional && (
        <div className="mb-2 flex items-end gap-2">
          <div className="flex-1">
            <label className="label" htmlFor={`${id}-key`}>
              Key
            </label>
            <input id={`${id}-key`} className="input" type="text" defaultValue={label} onBlur={onKeyRenameBlur} disabled={disabled || readonly} />
          </div>
          <RemoveButton id={buttonId(id, 'remove')} onClick={onRemoveProperty} disabled={disabled || readonly} registry={registry} uiSchema={uiSchema} />
        </div>
      )}
      {displayLabel && !isCheckbox && label && (
        <label id={labelId(id)} htmlFor={id} className="label">
          {label}
          {required && <Required />}
        </label>
      )}
      {displayLabel && description}
      {children}
      {errors}
      {help}
    </div>
  );
}

function TitleFieldTemplate({ id, title, required }: TitleFieldProps) {
  return (
    <legend id={id} className="mb-2 text-base font-semibold">
      {title}
      {required && <Required />}
    </legend>
  );
}

function DescriptionFieldTemplate({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <div id={id} className="muted mb-2 text-sm">
      {description}
    </div>
  );
}

function FieldHelpTemplate({ fieldPathId, help }: FieldHelpProps) {
  if (!help) return null;
  return (
    <div id={helpId(fieldPathId)} className="muted mt-1.5 text-xs">
      {help}
    </div>
  );
}

function FieldErrorTemplate({ errors = [], fieldPathId }: FieldErrorProps) {
  const list = errors.filter(Boolean);
  if (!list.length) return null;
  return (
    <ul id={errorId(fieldPathId)} className="mt-1.5 space-y-0.5 text-sm text-red-700 dark:text-red-400" data-testid="field-errors">
      {list.map((error, i) => (
        <li key={i}>{error}</li>
      ))}
    </ul>
  );
}

/** The control to focus for a field: the element with its id, or the first control inside it (a radio group). */
function fieldControl(id: string): HTMLElement | null {
  const element = document.getElementById(id);
  if (!element || element.matches('input, select, textarea, button')) return element;
  return element.querySelector<HTMLElement>('input:not([disabled]), select, textarea, button');
}

/** The summary at the top after a failed submit (in form order: see ItemForm's transformErrors), each error a link that takes the user to its field. */
function ErrorListTemplate({ errors }: ErrorListProps) {
  return (
    <div role="alert" className="mb-5 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100" data-testid="error-summary">
      <p className="font-semibold">Please fix {errors.length === 1 ? 'this error' : `these ${errors.length} errors`}:</p>
      <ul className="mt-1 list-disc pl-5">
        {errors.map((error, i) => {
          const id = fieldId(error.property);
          return (
            <li key={i}>
              <a
                href={`#${id}`}
                className="underline underline-offset-2"
                onClick={(e) => {
                  const control = fieldControl(id);
                  if (!control) return;
                  e.preventDefault();
                  control.focus();
                  control.scrollIntoView?.({ block: 'center' });
                }}
              >
                {error.stack}
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { title, description, properties, fieldPathId, schema, uiSchema, registry, required, formData, onAddProperty, disabled, readonly } = props;
  const options = getUiOptions(uiSchema);
  const Title = getTemplate('TitleFieldTemplate', registry, options);
  const Description = getTemplate('DescriptionFieldTemplate', registry, options);
  const { AddButton } = registry.templates.ButtonTemplates;
  const isRoot = fieldPathId.$id === registry.globalFormOptions.idPrefix;
  return (
    <fieldset id={fieldPathId.$id} className={isRoot ? '' : 'rounded-md border border-slate-200 p-4 dark:border-slate-700'}>
      {title && !isRoot && <Title id={titleId(fieldPathId)} title={title} required={required} schema={schema} uiSchema={uiSchema} registry={registry} />}
      {description && <Description id={descriptionId(fieldPathId)} description={description} schema={schema} uiSchema={uiSchema} registry={registry} />}
      {properties.map((p) => p.content)}
      {canExpand(schema, uiSchema, formData) && (
        <AddButton id={buttonId(fieldPathId, 'add')} onClick={onAddProperty} disabled={disabled || readonly} uiSchema={uiSchema} registry={registry} />
      )}
    </fieldset>
  );
}

function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const { canAdd, fieldPathId, uiSchema, items, onAddClick, registry, required, schema, title, disabled, readonly } = props;
  const options = getUiOptions(uiSchema);
  const Title = getTemplate('TitleFieldTemplate', registry, options);
  const Description = getTemplate('DescriptionFieldTemplate', registry, options);
  const { AddButton } = registry.templates.ButtonTemplates;
  const description = options.description || schema.description;
  const label = (options.title as string | undefined) || title;
  return (
    <fieldset id={fieldPathId.$id} className="rounded-md border border-slate-200 p-4 dark:border-slate-700">
      {label && <Title id={titleId(fieldPathId)} title={label} required={required} schema={schema} uiSchema={uiSchema} registry={registry} />}
      {description && <Description id={descriptionId(fieldPathId)} description={description} schema={schema} uiSchema={uiSchema} registry={registry} />}
      {items.length === 0 && <p className="muted mb-3 text-sm italic">None yet.</p>}
      <div className="space-y-3">{items}</div>
      {canAdd && (
        <AddButton id={buttonId(fieldPathId, 'add')} onClick={onAddClick} disabled={disabled || readonly} uiSchema={uiSchema} registry={registry} />
      )}
    </fieldset>
  );
}

function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  const { children, buttonsProps, hasToolbar, registry, uiSchema, index, totalItems } = props;
  const Buttons = getTemplate('ArrayFieldItemButtonsTemplate', registry, getUiOptions(uiSchema));
  return (
    <div className="flex flex-col gap-2 rounded-md bg-slate-50 p-3 sm:flex-row sm:items-start dark:bg-slate-800/50" aria-label={`Item ${index + 1} of ${totalItems}`} role="group">
      <div className="min-w-0 flex-1">{children}</div>
      {hasToolbar && (
        <div className="flex shrink-0 gap-1">
          <Buttons {...buttonsProps} />
        </div>
      )}
    </div>
  );
}

function MultiSchemaFieldTemplate({ selector, optionSchemaField }: MultiSchemaFieldTemplateProps) {
  return (
    <div className="rounded-md border border-slate-200 p-4 dark:border-slate-700">
      <div className="mb-4">{selector}</div>
      {optionSchemaField}
    </div>
  );
}

function BaseInputTemplate(props: BaseInputTemplateProps) {
  const { id, htmlName, value, readonly, disabled, autofocus, onBlur, onFocus, onChange, onChangeOverride, options, schema, type, rawErrors, placeholder, required } = props;
  const inputProps = getInputProps(schema, type, options);
  const isRange = inputProps.type === 'range';
  const inputValue = inputProps.type === 'number' || inputProps.type === 'integer' ? (value || value === 0 ? value : '') : (value ?? '');
  const examples = Array.isArray(schema.examples) ? (schema.examples as unknown[]) : [];
  return (
    <>
      <input
        id={id}
        name={htmlName || id}
        className={isRange ? 'h-2 w-full cursor-pointer accent-indigo-600 dark:accent-indigo-400' : 'input'}
        readOnly={readonly}
        disabled={disabled}
        autoFocus={autofocus}
        placeholder={placeholder}
        required={required}
        value={inputValue}
        {...inputProps}
        list={examples.length ? examplesId(id) : undefined}
        aria-invalid={rawErrors?.length ? true : undefined}
        aria-describedby={[ariaDescribedByIds(id, examples.length > 0), options.describedBy].filter(Boolean).join(' ')}
        onChange={onChangeOverride ?? ((e) => onChange(e.target.value === '' ? options.emptyValue : e.target.value))}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
      {examples.length > 0 && (
        <datalist id={examplesId(id)}>
          {examples.map((example) => (
            <option key={String(example)} value={String(example)} />
          ))}
        </datalist>
      )}
    </>
  );
}

function SubmitButton({ uiSchema }: SubmitButtonProps) {
  const { submitText, norender, props: buttonProps = {} } = getSubmitButtonOptions(uiSchema);
  if (norender) return null;
  return (
    <div className="mt-6">
      <button type="submit" {...buttonProps} className={`btn-primary px-4 py-2 ${buttonProps.className ?? ''}`}>
        {submitText}
      </button>
    </div>
  );
}

function iconButton(text: string, symbol: string, danger = false) {
  return function IconButton({ iconType: _iconType, icon: _icon, uiSchema: _uiSchema, registry: _registry, className: _className, ...rest }: IconButtonProps) {
    return (
      <button type="button" title={text} aria-label={text} className={`${danger ? 'btn-danger' : 'btn-secondary'} px-2 py-1`} {...rest}>
        <span aria-hidden="true">{symbol}</span>
      </button>
    );
  };
}

function AddButton({ iconType: _iconType, icon: _icon, uiSchema: _uiSchema, registry: _registry, className: _className, ...rest }: IconButtonProps) {
  return (
    <button type="button" className="btn-secondary mt-3" {...rest}>
      <span aria-hidden="true">+</span> Add
    </button>
  );
}

export const templates: Partial<TemplatesType> = {
  FieldTemplate,
  TitleFieldTemplate,
  DescriptionFieldTemplate,
  FieldHelpTemplate,
  FieldErrorTemplate,
  ErrorListTemplate,
  ObjectFieldTemplate,
  ArrayFieldTemplate,
  ArrayFieldItemTemplate,
  MultiSchemaFieldTemplate,
  BaseInputTemplate,
  ButtonTemplates: {
    SubmitButton,
    AddButton,
    CopyButton: iconButton('Copy item', '⧉'),
    MoveUpButton: iconButton('Move item up', '↑'),
    MoveDownButton: iconButton('Move item down', '↓'),
    RemoveButton: iconButton('Remove item', '✕', true),
    ClearButton: iconButton('Clear', '✕'),
  },
};
