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
