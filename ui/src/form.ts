// Form logic that does not depend on React: dirty tracking and the change set to send.
import type { FieldError } from "./bindings/FieldError";
import type { FieldSpec } from "./bindings/FieldSpec";

export type FieldValue = string | boolean | string[];
export type FormValues = { [key: string]: FieldValue };

/** Lists compare by content, everything else by value. */
export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

/** Keys whose value differs from what the vendor holds, in the spec's order. */
export function changedKeys<T extends object>(fields: FieldSpec[], original: T, values: T): string[] {
  const before = original as FormValues;
  const after = values as FormValues;
  return fields.map((field) => field.key).filter((key) => !sameValue(before[key], after[key]));
}

/** A typed list of addresses from what the user typed: comma- or semicolon-separated. */
export function parseList(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** Only the changed fields: what the update command takes. */
export function changesOf<T extends object>(fields: FieldSpec[], original: T, values: T): Partial<T> {
  const after = values as FormValues;
  const changes: FormValues = {};
  for (const key of changedKeys(fields, original, values)) {
    const value = after[key];
    if (value !== undefined) changes[key] = value;
  }
  return changes as Partial<T>;
}

export function errorsByField(errors: FieldError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) byField[error.field] ??= error.message;
  return byField;
}

/** Counts what the backend counts (UTF-16 code units), so the counter and the rule agree. */
export function characterCount(text: string): number {
  return text.length;
}

/** `phone.number` → `record.phone.number`. */
export function getDotted(record: Record<string, unknown>, key: string): unknown {
  return key.split(".").reduce<unknown>((value, part) => (value != null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), record);
}

function setDotted(record: Record<string, unknown>, key: string, value: unknown) {
  const parts = key.split(".");
  let node = record;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node = (next != null && typeof next === "object" ? next : (node[part] = {})) as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The vendor's values as the form holds them: one entry per field, never null. */
export function formValuesOf(fields: FieldSpec[], record: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = getDotted(record, field.key);
    if (field.kind === "boolean") values[field.key] = value === true;
    else if (field.kind === "email_list") values[field.key] = Array.isArray(value) ? value.map(String) : [];
    else if (field.kind === "password") values[field.key] = "";
    else values[field.key] = value == null ? "" : String(value);
  }
  return values;
}

/** Only the changed fields, nested as the vendor's JSON is (`phone.number` → `{ phone: { number } }`). */
export function nestedChangesOf(fields: FieldSpec[], original: FormValues, values: FormValues): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of changedKeys(fields, original, values)) setDotted(changes, key, values[key]);
  return changes;
}
