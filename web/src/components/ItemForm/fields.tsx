import { getDefaultRegistry } from '@rjsf/core';
import type { FieldProps, RegistryFieldsType, UiSchema } from '@rjsf/utils';

// Every core field is in the default registry; the type only allows for registries that lack one.
const StringField = getDefaultRegistry().fields.StringField!;

/** The uiSchema of a secret field: its own widget choice (textarea, hidden…) set aside for the password widget. */
function secretUiSchema(uiSchema: UiSchema | undefined): UiSchema {
  const { 'ui:widget': _widget, 'ui:options': options, ...rest } = uiSchema ?? {};
  return { ...rest, 'ui:options': { ...(options as object | undefined), widget: 'SecretWidget' } };
}

/**
 * A secret input (`writeOnly: true`) is typed into a password field whatever the item's uiSchema
 * says: a textarea or a plain text box would show it to anyone looking at the screen.
 */
function SecretAwareStringField(props: FieldProps) {
  if (props.schema.writeOnly !== true) return <StringField {...props} />;
  return <StringField {...props} uiSchema={secretUiSchema(props.uiSchema)} />;
}

export const fields: RegistryFieldsType = { StringField: SecretAwareStringField };
