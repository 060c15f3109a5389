// A searchable picker for one id an operation needs (customer, tenant, account, user). It pages
// through the vendor's list in the background, filters as you type, and still takes a pasted id.
import { useEffect, useMemo, useRef, useState } from "react";
import { Button, ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from "react-aria-components";
import { toBackendError, type BackendError } from "../backend";
import type { TargetField } from "../bindings/TargetField";
import { useBackend } from "../context";
import { countOf, filterChoices, recentFirst, searchable, type Searchable } from "../pickers";

/** How many matches the open list renders; typing narrows the rest. */
const SHOWN = 50;

type Load =
  | { state: "idle" }
  | { state: "loading"; loaded: number; total?: number }
  | { state: "done" }
  | { state: "failed"; error: BackendError };

export interface RecordPickerProps {
  connectionId: string;
  operationId: string;
  field: TargetField;
  /** The ids picked before this one; null while one is still missing. */
  parentTarget: Record<string, string> | null;
  /** While a save runs, nothing may change where it goes. */
  disabled?: boolean;
  /** What to pick first while `parentTarget` is null ("customer"). */
  waitingFor?: string;
  /** Ids opened lately under the same parents, latest first: listed first and marked. */
  recentIds?: string[];
  /** The id picked or pasted, and its readable name if known. */
  value: string;
  valueLabel?: string;
  error?: string;
  onChange(id: string, label?: string): void;
}

export function RecordPicker(props: RecordPickerProps) {
  const { connectionId, operationId, field, parentTarget, waitingFor, value, valueLabel, error, onChange } = props;
  const recentIds = props.recentIds ?? [];
  const recentKey = recentIds.join("|");
  const backend = useBackend();
  const [items, setItems] = useState<Searchable[]>([]);
  const [load, setLoad] = useState<Load>({ state: "idle" });
  const [inputValue, setInputValue] = useState(valueLabel ?? value);
  const [retry, setRetry] = useState(0);
  const parentKey = parentTarget ? JSON.stringify(parentTarget) : null;
  // The list depends on the vendor and the ids above, not on which of a vendor's operations asks.
  const operationRef = useRef(operationId);
  operationRef.current = operationId;
  const noun = field.noun;

  // Pages through the vendor's list; a newer parent or connection cancels the older walk.
  useEffect(() => {
    setItems([]);
    if (parentKey == null) {
      setLoad({ state: "idle" });
      return;
    }
    let cancelled = false;
    const target = JSON.parse(parentKey) as Record<string, string>;
    (async () => {
      const all: Searchable[] = [];
      let cursor: string | null = null;
      setLoad({ state: "loading", loaded: 0 });
      do {
        const page = await backend.listChoices(connectionId, operationRef.current, field.key, target, cursor);
        if (cancelled) return;
        all.push(...searchable(page.items));
        setItems([...all]);
        setLoad({ state: "loading", loaded: all.length, total: page.total });
        cursor = page.next ?? null;
      } while (cursor != null);
      setLoad({ state: "done" });
    })().catch((reason) => {
      if (!cancelled) setLoad({ state: "failed", error: toBackendError(reason) });
    });
    return () => {
      cancelled = true;
    };
  }, [backend, connectionId, field.key, parentKey, retry]);

  // The input shows the picked record's name; a pasted or recent id gets its name once known.
  const selected = items.find((item) => item.id === value);
  const lastShown = useRef(value);
  // The name just picked: ComboBox echoes it as input, which must not count as typing.
  const justPicked = useRef<string | null>(null);
  useEffect(() => {
    if (value !== lastShown.current) {
      lastShown.current = value;
      setInputValue(valueLabel ?? selected?.label ?? value);
    } else if (selected && inputValue === value && value !== "") {
      setInputValue(selected.label);
      onChange(value, selected.label);
    }
  }, [value, valueLabel, selected]); // eslint-disable-line react-hooks/exhaustive-deps

  const query = selected && inputValue === selected.label ? "" : inputValue;
  const ordered = useMemo(() => recentFirst(items, recentIds), [items, recentKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const { shown, matches } = useMemo(() => filterChoices(ordered, query, SHOWN), [ordered, query]);
  const disabled = parentTarget == null || props.disabled === true;

  /** Typed text becomes the id once the user is done with it (blur, Enter, paste), never per
   *  keystroke: a half-typed search must not start list requests for the pickers below. */
  const latest = useRef({ selected, value, onChange });
  latest.current = { selected, value, onChange };
  function commitTyped(text: string) {
    const { selected, value, onChange } = latest.current;
    if (selected && text === selected.label) return;
    const id = /\s/.test(text.trim()) ? "" : text.trim();
    if (id === value) return;
    lastShown.current = id;
    onChange(id);
  }

  let status: string;
  if (parentTarget == null) status = `Pick the ${waitingFor ?? "record above"} first.`;
  else if (load.state === "loading")
    status = load.total != null ? `Loading ${countOf(load.total, noun)}… ${load.loaded.toLocaleString()} so far` : `Loading ${noun}s… ${load.loaded.toLocaleString()} so far`;
  else if (load.state === "failed") status = `The ${noun} list could not be loaded. You can still paste an ID.`;
  else if (load.state === "done" && items.length === 0) status = `No ${noun}s here yet. Paste an ID if you have one.`;
  else if (query !== "" && matches === 0) status = `No ${noun} matches “${query.trim()}”. If it is an ID, Load uses it as typed.`;
  else if (selected) status = `ID ${selected.id}`;
  else if (value !== "") status = `Will use “${value}” as the ID.`;
  else if (matches > SHOWN) status = `${countOf(matches, noun)}; showing the first ${SHOWN}, type to narrow.`;
  else status = `${countOf(items.length, noun)}. Type a name, address or ID.`;

  return (
    <div className="picker" data-picker={field.key}>
      <ComboBox
        className="field"
        items={shown}
        inputValue={inputValue}
        selectedKey={selected ? selected.id : null}
        allowsCustomValue
        allowsEmptyCollection
        menuTrigger="focus"
        isDisabled={disabled}
        isInvalid={error != null}
        onInputChange={(text) => {
          setInputValue(text);
          // ComboBox echoes a picked item's name as input once; that is not typing.
          if (text === justPicked.current) {
            justPicked.current = null;
            return;
          }
          justPicked.current = null;
          if (text === "") commitTyped(text);
        }}
        onSelectionChange={(key) => {
          const item = items.find((i) => i.id === key);
          if (!item) return;
          lastShown.current = item.id;
          justPicked.current = item.label;
          setInputValue(item.label);
          onChange(item.id, item.label);
        }}
      >
        <Label className="field-label">{capitalised(noun)}</Label>
        <div className="combo">
          <Input
            className="input"
            data-field={field.key}
            spellCheck={false}
            placeholder={`Search ${noun}s or paste an ID`}
            onBlur={(event) => commitTyped(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key !== "Enter") return;
              const input = event.currentTarget;
              // With the list open, Enter may pick an option: look once that has happened.
              // Closed, it may also submit the form (Load), so the id is committed first.
              if (input.getAttribute("aria-expanded") === "true") setTimeout(() => commitTyped(input.value));
              else commitTyped(input.value);
            }}
            onPaste={(event) => {
              const pasted = event.clipboardData.getData("text");
              const input = event.currentTarget;
              // After the paste lands in the input: commit what the input then holds.
              setTimeout(() => commitTyped(input.value || pasted));
            }}
          />
          <Button className="combo-button" aria-label={`Show ${noun}s`}>
            <span aria-hidden="true">▾</span>
          </Button>
        </div>
        {/* Described-by, not a live region: page-by-page progress would flood a screen reader. */}
        <Text slot="description" className="help picker-status" data-picker-status={field.key}>
          {status}
        </Text>
        <FieldError className="field-error" data-error-for={field.key}>
          {error}
        </FieldError>
        <Popover className="popover">
          <ListBox
            className="listbox"
            renderEmptyState={() => <div className="option empty">{load.state === "loading" ? "Loading…" : `No ${noun} matches.`}</div>}
          >
            {(item: Searchable) => (
              <ListBoxItem className="option" id={item.id} textValue={item.label} data-choice={item.id}>
                <span className="option-label">{item.label}</span>
                <span className="option-detail">
                  {recentIds.includes(item.id) && <span className="recent-mark">Recent · </span>}
                  {item.detail}
                </span>
              </ListBoxItem>
            )}
          </ListBox>
        </Popover>
      </ComboBox>
      {load.state === "failed" && (
        <div className="picker-failure" role="alert">
          {load.error.message}{" "}
          <Button className="link-button" onPress={() => setRetry((n) => n + 1)}>
            Try again
          </Button>
        </div>
      )}
    </div>
  );
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
