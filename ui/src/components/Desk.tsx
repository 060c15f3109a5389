// The desk: pick a connection and an operation, find the record by its ids, edit the form the
// Rust field definitions describe, review, save. Works for every operation by name. The state and
// the calls into Rust are in desk/useDesk.ts (over desk/reducer.ts); the parts render it.
import { lazy, Suspense } from "react";
import { DeskMemory } from "../desk/DeskMemory";
import { LeaveDialog } from "../desk/LeaveDialog";
import { Outcome } from "../desk/Outcome";
import { TargetBar } from "../desk/TargetBar";
import { useDesk, type DeskProps } from "../desk/useDesk";

// The first screen is "Find the record": the form (with its date, number and list inputs) and the
// review load when a record is first opened, so they cost nothing at start (issue #17).
const RecordForm = lazy(() => import("../desk/RecordForm").then((m) => ({ default: m.RecordForm })));
const ReviewDialog = lazy(() => import("../desk/ReviewDialog").then((m) => ({ default: m.ReviewDialog })));

export type { Crumb } from "../desk/useDesk";

export function Desk(props: DeskProps) {
  const { state, connection, available, operation, crumbs, dirtyKeys, visibleErrors, openDrafts, formRef, actions } = useDesk(props);
  const { spec, form, busy } = state;
  return (
    <main className="content">
      <TargetBar
        connections={props.list.connections}
        connectionId={props.connectionId}
        connection={connection}
        operations={state.operations}
        available={available}
        operation={operation}
        picks={state.picks}
        recent={state.recent}
        fieldErrors={state.fieldErrors}
        busy={busy}
        canLoad={operation != null && spec != null}
        memory={
          <DeskMemory
            drafts={openDrafts}
            recent={state.recent}
            operations={state.operations}
            available={available}
            disabled={busy === "saving"}
            onOpen={actions.open}
          />
        }
        onConnection={actions.chooseConnection}
        onOperation={actions.chooseOperation}
        onPick={actions.pick}
        onLoad={actions.load}
      />

      {spec && form && (
        <Suspense fallback={<div className="card" aria-busy="true" />}>
          <RecordForm
            spec={spec}
            form={form}
            errors={visibleErrors}
            dirtyCount={dirtyKeys.length}
            busy={busy}
            formRef={formRef}
            onChange={actions.changeField}
            onSave={() => void actions.save()}
            onDiscard={actions.discard}
          />
        </Suspense>
      )}

      <LeaveDialog
        isOpen={state.pendingLeave != null}
        dirtyCount={dirtyKeys.length}
        recordName={crumbs[crumbs.length - 1]?.value ?? "this record"}
        onStay={actions.stay}
        onLeave={actions.leave}
      />

      {state.review && (
        <Suspense fallback={null}>
          <ReviewDialog
            plan={state.review}
            spec={spec}
            connectionName={connection?.name ?? ""}
            names={crumbs.slice(1).map((c) => c.value)}
            target={form?.record.target ?? {}}
            targets={operation?.targets ?? []}
            onConfirm={() => void actions.confirmSave()}
            onClose={actions.closeReview}
          />
        </Suspense>
      )}

      <Outcome outcome={state.outcome} retry={state.retry} spec={spec} onReload={form ? actions.reloadCurrent : undefined} />
    </main>
  );
}
