// Renders one field from its Rust definition (FieldSpec): label, help, limits and choices all
// come from the spec; nothing about a particular field is written here.
import { getLocalTimeZone, parseAbsolute, type ZonedDateTime } from "@internationalized/date";
import {
  Button,
  ComboBox,
  DateInput,
  DatePicker,
  DateSegment,
  Group,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Switch,
  Text,
  TextField,
} from "react-aria-components";
import type { Choice } from "../bindings/Choice";
import type { FieldSpec } from "../bindings/FieldSpec";
import { useState } from "react";
import { characterCount, parseList, type FieldValue } from "../form";

export interface FieldInputProps {
  field: FieldSpec;
  value: FieldValue;
  error?: string;
  dirty: boolean;
  disabled?: boolean;
  onChange(value: FieldValue): void;
}

export function FieldInput(props: FieldInputProps) {
  switch (props.field.kind) {
    case "boolean":
      return <BooleanField {...props} />;
    case "choice":
      return <ChoiceField {...props} />;
    case "text":
    case "email":
      return props.field.suggestions ? <SuggestionField {...props} /> : <TextInputField {...props} />;
    case "date_time_utc":
      return <DateTimeField {...props} />;
    case "password":
      return <PasswordField {...props} />;
    case "email_list":
      return <EmailListField {...props} />;
  }
}

function FieldLabel({ field, dirty }: { field: FieldSpec; dirty: boolean }) {
  return (
    <Label className="field-label">
      {field.label}
      {field.required && (
        <span className="required" aria-hidden="true">
          {" "}*
        </span>
      )}
      {dirty && <span className="dirty-badge">changed</span>}
    </Label>
  );
}

/** Help text, the character counter where the field has a limit, and the field's error. */
function FieldFooter({ field, text, error, help }: { field: FieldSpec; text?: string; error?: string; help?: string }) {
  return (
    <>
      <div className="field-meta">
        <Text slot="description">{help ?? field.help}</Text>
        {text != null && <Counter field={field} text={text} />}
      </div>
      <FieldError className="field-error" data-error-for={field.key}>
        {error}
      </FieldError>
    </>
  );
}

function Counter({ field, text }: { field: FieldSpec; text: string }) {
  if (field.maxLength == null) return null;
  const count = characterCount(text);
  const over = count > field.maxLength;
  return (
    <span className={over ? "counter over" : "counter"} data-counter={field.key}>
      {count} / {field.maxLength}
    </span>
  );
}

function TextInputField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const text = typeof value === "string" ? value : "";
  return (
    <TextField
      className="field"
      name={field.key}
      value={text}
      onChange={onChange}
      isRequired={field.required}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
      type={field.kind === "email" ? "email" : "text"}
    >
      <FieldLabel field={field} dirty={dirty} />
      <Input className="input" placeholder={field.placeholder} data-field={field.key} spellCheck={false} />
      <FieldFooter field={field} text={text} error={error} />
    </TextField>
  );
}

/** The vendor's UTC instant as the user's local date and time; a pick goes back as UTC (`...Z`). */
export function localOf(utc: string, timeZone = getLocalTimeZone()): ZonedDateTime | null {
  try {
    return parseAbsolute(utc, timeZone);
  } catch {
    return null;
  }
}

/** A date the vendor holds as "not set": empty, or the Unix epoch AvePoint returns for it. */
export function isUnsetDate(utc: string): boolean {
  return utc.trim() === "" || Date.parse(utc) === 0;
}

export function utcOf(local: ZonedDateTime): string {
  return local.toDate().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function DateTimeField(props: FieldInputProps) {
  const { field, value, error, dirty, disabled, onChange } = props;
  const text = typeof value === "string" ? value : "";
  const unset = isUnsetDate(text);
  const local = unset ? null : localOf(text);
  // A value the picker can't read (never expected from the vendor) stays editable as text.
  if (local == null && !unset) return <TextInputField {...props} />;
  const zone = getLocalTimeZone();
  const help = unset
    ? `${field.help} Not set.${field.appliesWhen && disabled ? " Turn on the switch beside it to set it." : ""}`
    : `${field.help} Shown in your time zone (${zone}); sent as UTC: ${text}.`;
  if (unset && disabled) {
    // Empty date segments read as a date to be typed; say plainly that there is none.
    return (
      <div className="field" data-disabled>
        <FieldLabel field={field} dirty={dirty} />
        <div className="input date-input not-set" data-field={field.key} data-not-set aria-disabled="true">
          Not set
        </div>
        <div className="field-meta">
          <p className="help">{help}</p>
        </div>
      </div>
    );
  }
  return (
    <DatePicker
      className="field"
      name={field.key}
      value={local}
      onChange={(picked) => picked && onChange(utcOf(picked))}
      granularity="minute"
      isRequired={field.required}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
    >
      <FieldLabel field={field} dirty={dirty} />
      <Group className="input date-input">
        <DateInput data-field={field.key}>{(segment) => <DateSegment className="date-segment" segment={segment} />}</DateInput>
      </Group>
      <FieldFooter field={field} error={error} help={help} />
    </DatePicker>
  );
}

/** Free text with a searchable list of common values (a country name, say); typing anything else is fine. */
function SuggestionField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const text = typeof value === "string" ? value : "";
  const suggestions: Choice[] = field.suggestions ?? [];
  return (
    <ComboBox
      className="field"
      name={field.key}
      defaultItems={suggestions}
      inputValue={text}
      onInputChange={onChange}
      onSelectionChange={(key) => {
        if (key != null) onChange(String(key));
      }}
      allowsCustomValue
      isRequired={field.required}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
    >
      <FieldLabel field={field} dirty={dirty} />
      <div className="combo">
        <Input className="input" data-field={field.key} placeholder={field.placeholder} spellCheck={false} />
        <Button className="combo-button" aria-label={`Show suggestions for ${field.label}`}>
          ▾
        </Button>
      </div>
      <FieldFooter field={field} text={text} error={error} />
      <Popover className="popover">
        <ListBox className="listbox">
          {(item: Choice) => (
            <ListBoxItem className="option" id={item.value} textValue={item.value}>
              {item.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

function ChoiceField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const choices: Choice[] = field.choices ?? [];
  const selected = typeof value === "string" && value !== "" ? value : null;
  return (
    <ComboBox
      className="field"
      name={field.key}
      defaultItems={choices}
      selectedKey={selected}
      onSelectionChange={(key) => {
        if (key != null) onChange(String(key));
      }}
      isRequired={field.required}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
    >
      <FieldLabel field={field} dirty={dirty} />
      <div className="combo">
        <Input className="input" data-field={field.key} spellCheck={false} />
        <Button className="combo-button" aria-label={`Show all choices for ${field.label}`}>
          ▾
        </Button>
      </div>
      <Text slot="description" className="help">
        {field.help}
      </Text>
      <FieldError className="field-error" data-error-for={field.key}>
        {error}
      </FieldError>
      <Popover className="popover">
        <ListBox className="listbox">
          {(choice: Choice) => (
            <ListBoxItem className="option" id={choice.value} textValue={`${choice.label} (${choice.value})`}>
              {choice.label} <span className="code">({choice.value})</span>
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}

function BooleanField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const helpId = `help-${field.key}`;
  return (
    <div className="field field-boolean">
      <Switch
        className="switch"
        isSelected={value === true}
        onChange={onChange}
        isDisabled={disabled}
        aria-describedby={helpId}
        data-field={field.key}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="field-label">
          {field.label}
          {dirty && <span className="dirty-badge">changed</span>}
        </span>
      </Switch>
      <span id={helpId} className="help">
        {field.help}
      </span>
      {error && (
        <span className="field-error" role="alert" data-error-for={field.key}>
          {error}
        </span>
      )}
    </div>
  );
}

/** A new password: masked unless shown, never filled from the vendor (it can't be read back). */
function PasswordField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const [visible, setVisible] = useState(false);
  const text = typeof value === "string" ? value : "";
  return (
    <TextField
      className="field"
      name={field.key}
      value={text}
      onChange={onChange}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
      type={visible ? "text" : "password"}
    >
      <FieldLabel field={field} dirty={dirty} />
      <div className="combo">
        <Input className="input" data-field={field.key} autoComplete="new-password" spellCheck={false} placeholder="Leave empty to keep the current password" />
        <Button className="combo-button" onPress={() => setVisible(!visible)} aria-pressed={visible}>
          {visible ? "Hide" : "Show"}
        </Button>
      </div>
      <FieldFooter field={field} text={text} error={error} />
    </TextField>
  );
}

/** Several addresses in one input, separated by commas; stored as a list. */
function EmailListField({ field, value, error, dirty, disabled, onChange }: FieldInputProps) {
  const list = Array.isArray(value) ? value : [];
  const [text, setText] = useState(list.join(", "));
  const shown = parseList(text).join("\u0000") === list.join("\u0000") ? text : list.join(", ");
  return (
    <TextField
      className="field"
      name={field.key}
      value={shown}
      onChange={(next) => {
        setText(next);
        onChange(parseList(next));
      }}
      isRequired={field.required}
      isInvalid={error != null}
      isDisabled={disabled}
      validationBehavior="aria"
    >
      <FieldLabel field={field} dirty={dirty} />
      <Input className="input" data-field={field.key} spellCheck={false} placeholder="name@example.com, other@example.com" />
      <Text slot="description" className="help">
        {field.help} Separate addresses with commas.
      </Text>
      <FieldError className="field-error" data-error-for={field.key}>
        {error}
      </FieldError>
    </TextField>
  );
}
