import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { Button } from "react-aria-components";
import { BackendError, toBackendError } from "./backend";
import { Desk, type Crumb } from "./components/Desk";
import type { ConnectionList } from "./bindings/ConnectionList";
import type { JobView } from "./bindings/JobView";
import { useBackend } from "./context";
import { ErrorBanner } from "./components/ErrorBanner";
import { ConnectionsPage } from "./components/ConnectionsPage";
import { HeaderContext } from "./components/HeaderContext";

// Pages other than the desk load when first opened: a page that is not open costs nothing at start.
const HistoryPage = lazy(() => import("./components/HistoryPage"));
const BulkPage = lazy(() => import("./bulk/BulkPage"));
const PeoplePage = lazy(() => import("./people/PeoplePage"));

export function App() {
  const backend = useBackend();
  const [list, setList] = useState<ConnectionList | null>(null);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [page, setPage] = useState<"desk" | "people" | "connections" | "history" | "bulk">("desk");
  // The Bulk page stays mounted once opened, so a run keeps its progress while other pages show.
  const [bulkOpened, setBulkOpened] = useState(false);
  const [unfinished, setUnfinished] = useState<JobView[]>([]);
  const [startupError, setStartupError] = useState<BackendError | null>(null);
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const headerRef = useRef<HTMLElement>(null);

  // The header is there from the first render. Scrolling (focus, find) stops below it at its
  // real height, whatever the font, text size or window width make of it. The gap is in the root's text size: WebKit
  // reveals a focused input's caret rather than its box, so the box needs that much room.
  useEffect(() => {
    const header = headerRef.current;
    if (!header || typeof ResizeObserver === "undefined") return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      const gap = 1.5 * parseFloat(getComputedStyle(root).fontSize);
      root.style.setProperty("--scroll-top", `${header.getBoundingClientRect().height + gap}px`);
      root.style.setProperty("--scroll-bottom", `${gap}px`);
    });
    observer.observe(header);
    return () => observer.disconnect();
  }, []);

  const refresh = useCallback(async () => {
    const next = await backend.listConnections();
    setList(next);
    setConnectionId((current) =>
      current && next.connections.some((c) => c.id === current)
        ? current
        : (next.selectedId ?? next.connections.find((c) => c.isPractice)?.id ?? next.connections[0]?.id ?? null),
    );
  }, [backend]);

  useEffect(() => {
    refresh().catch((reason) => setStartupError(toBackendError(reason)));
  }, [refresh]);

  // After the first screen: a bulk job a crash or a quit interrupted is offered for resuming.
  useEffect(() => {
    if (!list) return;
    backend
      .bulkJobs(true)
      .then((jobs) => setUnfinished(jobs.filter((job) => job.state === "running" || job.state === "paused")))
      .catch(() => undefined);
  }, [backend, list != null]); // eslint-disable-line react-hooks/exhaustive-deps

  const openPage = (next: typeof page) => {
    if (next === "bulk") {
      setBulkOpened(true);
      setUnfinished([]);
    }
    setPage(next);
  };

  if (startupError) {
    return (
      <main className="app content">
        <ErrorBanner error={startupError} />
      </main>
    );
  }
  const connection = list?.connections.find((c) => c.id === connectionId) ?? null;

  return (
    <div className="app">
      <header className="app-header" ref={headerRef}>
        <div className="brand">Switchboard</div>
        <nav className="nav" aria-label="Sections">
          <Button className="nav-button" aria-current={page === "desk" ? "page" : undefined} onPress={() => openPage("desk")} data-nav="desk">
            Desk
          </Button>
          <Button className="nav-button" aria-current={page === "people" ? "page" : undefined} onPress={() => openPage("people")} data-nav="people">
            People
          </Button>
          <Button className="nav-button" aria-current={page === "bulk" ? "page" : undefined} onPress={() => openPage("bulk")} data-nav="bulk">
            Bulk
          </Button>
          <Button
            className="nav-button"
            aria-current={page === "connections" ? "page" : undefined}
            onPress={() => openPage("connections")}
            data-nav="connections"
          >
            Connections
          </Button>
          <Button
            className="nav-button"
            aria-current={page === "history" ? "page" : undefined}
            onPress={() => openPage("history")}
            data-nav="history"
          >
            History
          </Button>
        </nav>
        <HeaderContext connection={connection} crumbs={crumbs} />
      </header>
      {list?.notice && (
        <div className="content">
          <div className="banner error" role="alert" data-outcome="storage-notice">
            {list.notice.message}
          </div>
        </div>
      )}
      {unfinished.length > 0 && page !== "bulk" && (
        <div className="content">
          <div className="banner info" role="status" data-outcome="bulk-unfinished">
            {unfinished.length === 1
              ? `A bulk job did not finish: ${unfinished[0]!.fileName}, ${unfinished[0]!.counts.pending + unfinished[0]!.counts.sending} of ${unfinished[0]!.counts.total} rows left.`
              : `${unfinished.length} bulk jobs did not finish.`}{" "}
            <Button className="button" onPress={() => openPage("bulk")} data-action="open-unfinished">
              Open Bulk to resume
            </Button>
          </div>
        </div>
      )}
      {/* The desk stays mounted behind the Connections page, so an open form keeps its edits. */}
      {list && (
        <div hidden={page !== "desk"}>
        <Desk
          list={list}
          connectionId={connectionId}
          onConnectionChange={(id) => {
            setConnectionId(id);
            void backend.rememberConnection(id).catch(() => undefined);
          }}
          onContextChange={setCrumbs}
        />
        </div>
      )}
      {list && page === "connections" && <ConnectionsPage list={list} onChanged={refresh} />}
      {list && page === "people" && (
        <Suspense fallback={<main className="content" aria-busy="true" />}>
          <PeoplePage list={list} />
        </Suspense>
      {list && bulkOpened && (
        <div hidden={page !== "bulk"}>
          <Suspense fallback={<main className="content" aria-busy="true" />}>
            <BulkPage list={list} connectionId={connectionId} />
          </Suspense>
        </div>
      )}
      {list && page === "history" && (
        <Suspense fallback={<main className="content" aria-busy="true" />}>
          <HistoryPage list={list} />
        </Suspense>
      )}
    </div>
  );
}
