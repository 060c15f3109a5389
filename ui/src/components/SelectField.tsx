// A labelled drop-down of fixed choices, the same on every page: the button carries `data-field`
// (what the end-to-end tests click), the options their readable label.
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text } from "react-aria-components";

export type SelectOption<K extends string> = { id: K; label: string };

export interface SelectFieldProps<K extends string> {
  label: string;
  /** The button's `data-field`. */
  field: string;
  options: SelectOption<K>[];
  selected: K | null;
  /** Called with the option picked, never with nothing. */
  onChange(id: K): void;
  description?: string;
  isDisabled?: boolean;
  className?: string;
}

export function SelectField<K extends string>({ label, field, options, selected, onChange, description, isDisabled, className }: SelectFieldProps<K>) {
  return (
    <Select
      className={className ? `field ${className}` : "field"}
      selectedKey={selected}
      isDisabled={isDisabled}
      onSelectionChange={(key) => key != null && onChange(String(key) as K)}
    >
      <Label className="field-label">{label}</Label>
      <Button className="select-button" data-field={field}>
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {description != null && (
        <Text slot="description" className="help">
          {description}
        </Text>
      )}
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(option) => (
            <ListBoxItem className="option" id={option.id} textValue={option.label}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
