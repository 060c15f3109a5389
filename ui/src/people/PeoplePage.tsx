// People (issue #14): find someone once across the chosen connections, see their records side by
// side by what each field means, edit a meaning once, review every vendor's part together, save
// them in parallel and retry only the ones that failed. Loaded on demand (React.lazy in App.tsx).
import { useState } from "react";
import { Button, Checkbox, CheckboxGroup, Input, Label, TextField } from "react-aria-components";
import { BackendError, toBackendError } from "../backend";
import type { ConnectionList } from "../bindings/ConnectionList";
import type { Decision } from "../bindings/Decision";
import type { PersonGroup } from "../bindings/PersonGroup";
import type { PersonReview } from "../bindings/PersonReview";
import type { PersonSaveResult } from "../bindings/PersonSaveResult";
import type { PersonView } from "../bindings/PersonView";
import { useBackend } from "../context";
import { ErrorBanner } from "../components/ErrorBanner";
import {
  cellText,
  columnTitle,
  differingRows,
  foundRecords,
  groupRecords,
  memberKeys,
  memberReason,
  mergeSaveResults,
  pendingEdits,
  retryKeys,
  reviewSummary,
  searchStatus,
  valueText,
  type Search,
} from "./logic";
import "./people.css";

export default function PeoplePage({ list }: { list: ConnectionList }) {
  const backend = useBackend();
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<string[]>(() => list.connections.map((c) => c.id));
  const [searches, setSearches] = useState<Search[]>([]);
  const [groups, setGroups] = useState<PersonGroup[]>([]);
  const [view, setView] = useState<PersonView | null>(null);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [review, setReview] = useState<PersonReview | null>(null);
  const [saved, setSaved] = useState<PersonSaveResult | null>(null);
  const [undone, setUndone] = useState<PersonSaveResult | null>(null);
  const [lastDecision, setLastDecision] = useState<Decision | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<BackendError | null>(null);

  const regroup = async (current: Search[]) => {
    const keys = foundRecords(current).map((r) => r.key);
    setGroups(keys.length === 0 ? [] : await backend.groupPeople(keys));
  };

  const search = async () => {
    setError(null);
    setView(null);
    setReview(null);
    setSaved(null);
    const connections = list.connections.filter((c) => chosen.includes(c.id));
    let current: Search[] = connections.map((c) => ({ connectionId: c.id, connectionName: c.name, result: null }));
    setSearches(current);
    setGroups([]);
    // One call per connection: each answer shows as it arrives, and the people are regrouped.
    await Promise.all(
      connections.map(async (c) => {
        const result = await backend.searchPerson(c.id, query).catch((reason) => {
          const failure = toBackendError(reason);
          return {
            connectionId: c.id,
            connectionName: c.name,
            state: { type: "failed" as const, error: failure },
            records: [],
            pages: 0,
            tookMs: 0,
          };
        });
        current = current.map((s) => (s.connectionId === c.id ? { ...s, result } : s));
        setSearches(current);
        await regroup(current).catch((reason) => setError(toBackendError(reason)));
      }),
    );
  };

  const decide = async (group: PersonGroup, recordKey: string, same: boolean) => {
    const first = group.members[0]?.recordKey;
    if (!first) return;
    try {
      setLastDecision(await backend.linkPeople([first, recordKey], same));
      await regroup(searches);
    } catch (reason) {
      setError(toBackendError(reason));
    }
  };

  const undoDecision = async () => {
    if (!lastDecision) return;
    try {
      await backend.undoLink(lastDecision.id);
      setLastDecision(null);
      await regroup(searches);
    } catch (reason) {
      setError(toBackendError(reason));
    }
  };

  const open = async (group: PersonGroup) => {
    setError(null);
    setReview(null);
    setSaved(null);
    setTyped({});
    setBusy(true);
    try {
      setView(await backend.openPerson(memberKeys(group)));
    } catch (reason) {
      setError(toBackendError(reason));
    } finally {
      setBusy(false);
    }
  };

  const startReview = async () => {
    if (!view) return;
    setError(null);
    setSaved(null);
    setUndone(null);
    try {
      setReview(await backend.reviewPerson(view.records.map((r) => r.key), pendingEdits(view, typed)));
    } catch (reason) {
      setError(toBackendError(reason));
    }
  };

  const save = async (only: string[] | null) => {
    if (!review) return;
    setBusy(true);
    setError(null);
    try {
      const result = await backend.savePerson(review.id, only);
      setSaved((previous) => mergeSaveResults(previous, result));
    } catch (reason) {
      setError(toBackendError(reason));
    } finally {
      setBusy(false);
    }
  };

  const undoAll = async () => {
    if (!saved) return;
    setBusy(true);
    setError(null);
    try {
      setUndone(await backend.undoPersonSave(saved.groupId));
    } catch (reason) {
      setError(toBackendError(reason));
    } finally {
      setBusy(false);
    }
  };

  const records = foundRecords(searches);
  const edits = view ? pendingEdits(view, typed) : {};
  const failed = retryKeys(saved);

  return (
    <main className="content people" data-page="people">
      <section className="card" aria-labelledby="people-search-title">
        <h2 id="people-search-title">Find a person</h2>
        <form
          className="people-search"
          onSubmit={(event) => {
            event.preventDefault();
            void search();
          }}
        >
          <TextField className="field" value={query} onChange={setQuery} data-field="person-query">
            <Label className="field-label">Name or email address</Label>
            <Input className="input" placeholder="anna.berg@northwind.example" />
          </TextField>
          <CheckboxGroup className="people-connections" value={chosen} onChange={setChosen} aria-label="Connections to search">
            <Label className="field-label">Search in</Label>
            {list.connections.map((c) => (
              <Checkbox key={c.id} value={c.id} className="people-checkbox" data-connection={c.id}>
                <span className="people-box" aria-hidden="true" />
                {c.name}
              </Checkbox>
            ))}
          </CheckboxGroup>
          <div className="actions">
            <Button type="submit" className="button primary" isDisabled={query.trim().length < 2 || chosen.length === 0} data-action="search-person">
              Search
            </Button>
          </div>
        </form>
        {searches.length > 0 && (
          <ul className="people-status" aria-label="Search status per connection" aria-live="polite">
            {searches.map((s) => {
              const status = searchStatus(s);
              return (
                <li key={s.connectionId} className={`people-status-${status.tone}`} data-search-status={s.connectionId}>
                  <strong>{s.connectionName}</strong>: {status.text}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {error && <ErrorBanner error={error} />}

      {groups.length > 0 && (
        <section className="card" aria-labelledby="people-found-title">
          <div className="history-head">
            <h2 id="people-found-title">People found</h2>
            {lastDecision && (
              <Button className="link-button" onPress={() => void undoDecision()} data-action="undo-link">
                Undo “{lastDecision.kind === "same" ? "same person" : "not the same person"}”
              </Button>
            )}
          </div>
          <ul className="people-groups">
            {groups.map((group) => (
              <li key={group.id} className="people-group" data-person={group.name}>
                <div className="history-head">
                  <strong>{group.name}</strong>
                  <Button className="button" onPress={() => void open(group)} data-action="open-person">
                    Side by side ({group.members.length})
                  </Button>
                </div>
                <ul className="people-members">
                  {groupRecords(group, records).map((record) => {
                    const member = group.members.find((m) => m.recordKey === record.key)!;
                    return (
                      <li key={record.key} data-member-link={member.link}>
                        <span className="badge">{record.vendorLabel}</span> {record.name}{" "}
                        <span className="option-detail">
                          {record.detail} · {record.connectionName}
                          {record.context ? ` · ${record.context}` : ""}
                        </span>
                        <div className="help">{memberReason(member)}</div>
                        {member.link === "suggested" && (
                          <div className="people-decide">
                            <Button className="link-button" onPress={() => void decide(group, record.key, true)} data-action="accept-match">
                              Same person
                            </Button>
                            <Button className="link-button" onPress={() => void decide(group, record.key, false)} data-action="reject-match">
                              Not the same person
                            </Button>
                          </div>
                        )}
                      </li>
                    );
                  })}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      )}

      {view && (
        <section className="card people-side" aria-labelledby="people-side-title" aria-busy={busy}>
          <h2 id="people-side-title">Side by side</h2>
          <p className="help">
            {differingRows(view).length === 0
              ? "The records agree."
              : `Differences: ${differingRows(view).map((r) => r.label).join(", ")}.`}{" "}
            Type a new value once; each vendor gets it in its own form.
          </p>
          <div className="people-table-wrap">
            <table className="people-table" data-side-by-side>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  {view.records.map((record) => {
                    const title = columnTitle(record);
                    return (
                      <th scope="col" key={record.key}>
                        <span className="badge">{title.vendor}</span>
                        <div>{title.name}</div>
                        <div className="option-detail">{title.connection}</div>
                      </th>
                    );
                  })}
                  <th scope="col">Change to</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((row) => (
                  <tr key={row.meaning} className={row.differs ? "differs" : undefined} data-row={row.meaning} data-differs={row.differs}>
                    <th scope="row">
                      {row.label}
                      {row.differs && <span className="people-differs"> (differs)</span>}
                    </th>
                    {row.cells.map((cells, index) => (
                      <td key={view.records[index]?.key ?? index} title={cells.map((c) => `${c.label} (${c.field})`).join(", ")}>
                        {cells.length === 0 ? <span className="option-detail">not held</span> : cellText(cells)}
                      </td>
                    ))}
                    <td>
                      {row.editable ? (
                        <TextField
                          aria-label={`New ${row.label.toLowerCase()}`}
                          value={typed[row.meaning] ?? ""}
                          onChange={(value) => setTyped((t) => ({ ...t, [row.meaning]: value }))}
                          data-edit={row.meaning}
                        >
                          <Input className="input" />
                        </TextField>
                      ) : (
                        <span className="option-detail">read only</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="actions">
            <Button className="button primary" isDisabled={Object.keys(edits).length === 0} onPress={() => void startReview()} data-action="review-person">
              Review changes
            </Button>
          </div>
        </section>
      )}

      {review && (
        <section className="card" aria-labelledby="people-review-title" data-review>
          <h2 id="people-review-title">Review: every vendor's change</h2>
          <ul className="people-review">
            {review.changes.map((part) => (
              <li key={part.key} data-part={part.key} data-sends={part.sends}>
                <strong>
                  {part.vendorLabel} · {part.connectionName}
                </strong>
                {part.operationTitle && <span className="option-detail"> · {part.operationTitle}</span>}
                {part.changes.length > 0 && (
                  <ul className="review-list">
                    {part.changes.map((c) => (
                      <li key={c.field}>
                        {c.label}: {valueText(c.before)} → {valueText(c.after)}
                      </li>
                    ))}
                  </ul>
                )}
                {part.notes.map((note) => (
                  <div key={note} className="help">
                    {note}
                  </div>
                ))}
                {part.problem && <div className="people-problem">{part.problem}</div>}
              </li>
            ))}
          </ul>
          <div className="actions">
            {(() => {
              const summary = reviewSummary(review);
              return (
                <Button className="button primary" isDisabled={summary.sends === 0 || busy || saved != null} onPress={() => void save(null)} data-action="save-person">
                  Save {summary.fields} {summary.fields === 1 ? "change" : "changes"} at {summary.sends} {summary.sends === 1 ? "place" : "places"}
                </Button>
              );
            })()}
            {failed.length > 0 && (
              <Button className="button" isDisabled={busy} onPress={() => void save(failed)} data-action="retry-failed">
                Retry the failed ({failed.length})
              </Button>
            )}
            {saved && saved.results.some((r) => r.outcome !== "failed") && !undone && (
              <Button className="button" isDisabled={busy} onPress={() => void undoAll()} data-action="undo-person">
                Undo these changes
              </Button>
            )}
          </div>
          {saved && (
            <ul className="people-results" aria-live="polite" data-outcome="person-saved">
              {saved.results.map((r) => (
                <li key={r.key} className={`people-result-${r.outcome}`} data-result={r.outcome}>
                  <strong>{r.vendorLabel}</strong> ({r.connectionName}):{" "}
                  {r.outcome === "failed" ? `Not saved. ${r.error?.message ?? ""}` : r.outcome === "saved" ? "Saved." : "Saved earlier."}
                </li>
              ))}
            </ul>
          )}
          {undone && (
            <p className="banner success" role="status" data-outcome="person-undone">
              Undone at {undone.results.filter((r) => r.outcome === "saved").length} of {undone.results.length} places
              {undone.failed.length > 0 ? `; not at ${undone.results.filter((r) => r.outcome === "failed").map((r) => r.vendorLabel).join(", ")}.` : "."}
            </p>
          )}
        </section>
      )}
    </main>
  );
}
