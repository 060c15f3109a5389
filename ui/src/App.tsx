import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { Button, Menu, MenuItem, MenuTrigger, Popover } from "react-aria-components";
import { BackendError, toBackendError } from "./backend";
import { Desk, type Crumb } from "./components/Desk";
import type { ConnectionList } from "./bindings/ConnectionList";
import type { JobView } from "./bindings/JobView";
import { useBackend } from "./context";
import { ErrorBanner } from "./components/ErrorBanner";
import { HeaderContext } from "./components/HeaderContext";

// Pages other than the desk load when first opened: a page that is not open costs nothing at start.
const HistoryPage = lazy(() => import("./components/HistoryPage"));
const BulkPage = lazy(() => import("./bulk/BulkPage"));
const PeoplePage = lazy(() => import("./people/PeoplePage"));
const ConnectionsPage = lazy(() => import("./components/ConnectionsPage").then((m) => ({ default: m.ConnectionsPage })));

type Page = "desk" | "people" | "bulk" | "connections" | "history";
const PAGES: { id: Page; label: string }[] = [
  { id: "desk", label: "Desk" },
  { id: "people", label: "People" },
  { id: "bulk", label: "Bulk" },
  { id: "connections", label: "Connections" },
  { id: "history", label: "History" },
];

export function App() {
  const backend = useBackend();
  const [list, setList] = useState<ConnectionList | null>(null);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const [page, setPage] = useState<Page>("desk");
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
          {PAGES.map(({ id, label }) => (
            <Button key={id} className="nav-button" aria-current={page === id ? "page" : undefined} onPress={() => openPage(id)} data-nav={id}>
              {label}
            </Button>
          ))}
        </nav>
        {/* Little room (a small window, large text): the sections fold into one menu. */}
        <MenuTrigger>
          <Button className="nav-button nav-menu-button" aria-label={`Section: ${PAGES.find((p) => p.id === page)?.label}`} data-nav-menu>
            {PAGES.find((p) => p.id === page)?.label} <span aria-hidden="true">▾</span>
          </Button>
          <Popover className="popover">
            <Menu className="listbox" onAction={(key) => openPage(key as Page)}>
              {PAGES.map(({ id, label }) => (
                <MenuItem key={id} id={id} className="option" data-nav-item={id}>
                  {label}
                </MenuItem>
              ))}
            </Menu>
          </Popover>
        </MenuTrigger>
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
      {list && page === "connections" && (
        <Suspense fallback={<main className="content" aria-busy="true" />}>
          <ConnectionsPage list={list} onChanged={refresh} />
        </Suspense>
      )}
      {list && page === "people" && (
        <Suspense fallback={<main className="content" aria-busy="true" />}>
          <PeoplePage list={list} />
        </Suspense>
      )}
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
