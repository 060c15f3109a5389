// The record's form, rendered from the operation's field definitions, with Save and Discard; and
// the note that unsent edits from an earlier session came back into it.
import type { Ref } from "react";
import { Button } from "react-aria-components";
import type { OperationSpec } from "../bindings/OperationSpec";
import { OperationForm } from "../components/OperationForm";
import type { FieldValue } from "../form";
import type { OpenForm } from "./reducer";

export interface RecordFormProps {
  spec: OperationSpec;
  form: OpenForm;
  errors: Record<string, string>;
  dirtyCount: number;
  busy: "loading" | "saving" | null;
  formRef: Ref<HTMLElement>;
  onChange(key: string, value: FieldValue): void;
  onSave(): void;
  onDiscard(): void;
}

export function RecordForm({ spec, form, errors, dirtyCount, busy, formRef, onChange, onSave, onDiscard }: RecordFormProps) {
  return (
    <>
      {form.restored && (
        <div className="banner info" role="status" data-outcome="draft-restored">
          Your unsent edits from {new Date(form.restored.savedAt).toLocaleString()} are back in the form. Review them and save, or{" "}
          <Button className="link-button" onPress={onDiscard} data-action="discard-draft">
            discard them
          </Button>
          .
        </div>
      )}
      {form.prefilled.length > 0 && (
        <div className="banner info" role="status" data-outcome="prefilled">
          {spec.vendor} did not return {form.prefilled.map((key) => spec.fields.find((f) => f.key === key)?.label ?? key).join(", ")}, which it
          requires: filled in with the value you last saved through Switchboard ({form.prefilled.map((key) => String(form.values[key] ?? "")).join(", ")}).
          Check it before you save.
        </div>
      )}
      <section className="card" aria-labelledby="form-heading" ref={formRef}>
        <h2 id="form-heading">
          {spec.vendor} · {spec.title}
        </h2>
        <p className="help">Fields marked * are required.</p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            onSave();
          }}
          noValidate
        >
          <OperationForm spec={spec} values={form.values} original={form.record.original} errors={errors} disabled={busy === "saving"} onChange={onChange} />
          <div className="actions">
            <Button type="submit" className="button primary" isDisabled={busy != null} data-action="save">
              {busy === "saving" ? "Saving…" : "Save"}
            </Button>
            <Button className="button" onPress={onDiscard} isDisabled={busy != null || dirtyCount === 0}>
              Discard changes
            </Button>
            <span className="dirty-summary" aria-live="polite">
              {dirtyCount === 0 ? "No unsaved changes" : `${dirtyCount} unsaved change${dirtyCount === 1 ? "" : "s"}`}
            </span>
          </div>
        </form>
      </section>
    </>
  );
}
