import type { OperationSpec } from "../bindings/OperationSpec";
import { sameValue, type FieldValue, type FormValues } from "../form";
import { FieldInput } from "./FieldInput";

export interface OperationFormProps<T extends object> {
  spec: OperationSpec;
  values: T;
  original: T;
  errors: Record<string, string>;
  disabled?: boolean;
  onChange(key: keyof T & string, value: FieldValue): void;
}

/** Every field of an operation, in the order the Rust definition lists them. */
export function OperationForm<T extends object>({ spec, values, original, errors, disabled, onChange }: OperationFormProps<T>) {
  const current = values as FormValues;
  const before = original as FormValues;
  return (
    <div className="form-grid" data-operation={spec.id}>
      {spec.fields.map((field) => {
        // A field governed by a switch (a start date by "Enforce a start date") is not asked for
        // while the switch is off; Rust does not check it then either.
        const applies = field.appliesWhen == null || current[field.appliesWhen] === true;
        return (
          <FieldInput
            key={field.key}
            field={applies ? field : { ...field, required: false }}
            value={current[field.key] ?? ""}
            error={applies ? errors[field.key] : undefined}
            dirty={!sameValue(current[field.key], before[field.key])}
            disabled={disabled || !applies}
            onChange={(value) => onChange(field.key as keyof T & string, value)}
          />
        );
      })}
    </div>
  );
}
