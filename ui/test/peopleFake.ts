// The People commands faked like the Rust side answers them: Anna Berg at four vendors (Ana at
// SoftwareOne), a connection that needs sign-in, and a save that fails at MSP360 until retried.
import { vi } from "vitest";
import type { ConnectionResult } from "../src/bindings/ConnectionResult";
import type { PersonGroup } from "../src/bindings/PersonGroup";
import type { PersonRecord } from "../src/bindings/PersonRecord";
import type { PersonReview } from "../src/bindings/PersonReview";
import type { PersonSaveResult } from "../src/bindings/PersonSaveResult";
import type { PersonView } from "../src/bindings/PersonView";
import type { VendorSaveResult } from "../src/bindings/VendorSaveResult";

function record(connectionId: string, vendor: PersonRecord["vendor"], vendorLabel: string, given: string, surname: string | null): PersonRecord {
  const cells: PersonRecord["cells"] = [
    { meaning: "email", operation: `${vendor}.op`, field: "email", label: "Email", value: "anna.berg@northwind.example", editable: true },
  ];
  if (surname !== null) {
    cells.push({ meaning: "given_name", operation: `${vendor}.op`, field: "firstName", label: "First name", value: given, editable: true });
    cells.push({ meaning: "surname", operation: `${vendor}.op`, field: "lastName", label: "Last name", value: surname, editable: true });
  } else {
    cells.push({ meaning: "display_name", operation: "", field: "displayName", label: "Display name (as listed)", value: `${given} Berg`, editable: false });
  }
  return {
    key: `${connectionId}|userId=u`,
    connectionId,
    connectionName: `Practice (${vendorLabel} sandbox)`,
    vendor,
    vendorLabel,
    target: { userId: "u" },
    name: `${given} Berg`,
    detail: "anna.berg@northwind.example",
    context: "Northwind Traders",
    cells,
  };
}

export const annaRecords: PersonRecord[] = [
  record("practice", "avepoint", "AvePoint", "Anna", null),
  record("practice-partner-center", "partner-center", "Microsoft Partner Center", "Anna", "Berg"),
  record("practice-softwareone", "softwareone", "SoftwareOne", "Ana", "Berg"),
  record("practice-msp360", "msp360", "MSP360", "Anna", "Berg"),
];

export function peopleBackend() {
  let saves = 0;
  const saveResult = (reviewId: string, keys: string[]): PersonSaveResult => {
    saves += 1;
    const results: VendorSaveResult[] = keys.map((key) => {
      const failing = key.startsWith("practice-msp360") && saves === 1;
      return {
        key,
        connectionName: annaRecords.find((r) => key.startsWith(r.key))!.connectionName,
        vendorLabel: annaRecords.find((r) => key.startsWith(r.key))!.vendorLabel,
        recordName: "Anna Berg",
        outcome: failing ? "failed" : "saved",
        ...(failing ? { error: { code: "vendor_unavailable" as const, message: "MSP360 is not answering.", fieldErrors: [] } } : {}),
        changedFields: failing ? [] : ["lastName"],
      };
    });
    return { reviewId, groupId: "group-1", results, failed: results.filter((r) => r.outcome === "failed").map((r) => r.key) };
  };
  return {
    searchPerson: vi.fn(async (connectionId: string): Promise<ConnectionResult> => {
      const records = annaRecords.filter((r) => r.connectionId === connectionId);
      if (connectionId === "p-1") {
        return {
          connectionId,
          connectionName: "Contoso EU",
          vendor: "avepoint",
          state: { type: "needs_sign_in", message: "The connection \"Contoso EU\" has no client secret saved yet." },
          records: [],
          pages: 0,
          tookMs: 0,
        };
      }
      return { connectionId, connectionName: records[0]?.connectionName ?? connectionId, state: { type: "done" }, records, pages: 1, tookMs: 3 };
    }),
    groupPeople: vi.fn(async (recordKeys: string[]): Promise<PersonGroup[]> => [
      {
        id: "person:1",
        name: "Anna Berg",
        members: recordKeys.map((recordKey, index) => ({
          recordKey,
          link: index === 0 ? ("first" as const) : ("exact" as const),
          reason: index === 0 ? "Found by the search" : "Same email address anna.berg@northwind.example",
          confidence: 1,
        })),
      },
    ]),
    openPerson: vi.fn(async (recordKeys: string[]): Promise<PersonView> => {
      const records = annaRecords.filter((r) => recordKeys.includes(r.key));
      const meanings = [
        ["given_name", "First name"],
        ["surname", "Last name"],
        ["display_name", "Display name"],
        ["email", "Email"],
      ] as const;
      return {
        id: recordKeys.join(","),
        records,
        rows: meanings.map(([meaning, label]) => ({
          meaning,
          label,
          cells: records.map((r) => r.cells.filter((c) => c.meaning === meaning)),
          differs: meaning === "given_name",
          editable: meaning !== "display_name",
        })),
      };
    }),
    reviewPerson: vi.fn(async (recordKeys: string[], edits: Record<string, string>): Promise<PersonReview> => ({
      id: "review-1",
      groupId: "group-1",
      changes: annaRecords
        .filter((r) => recordKeys.includes(r.key))
        .map((r) =>
          r.vendor === "avepoint"
            ? {
                key: `${r.key}#unsupported`,
                recordKey: r.key,
                connectionId: r.connectionId,
                connectionName: r.connectionName,
                vendor: r.vendor,
                vendorLabel: r.vendorLabel,
                recordName: r.name,
                operation: "",
                operationTitle: "",
                changes: [],
                notes: [],
                problem: "Switchboard can't change last name at AvePoint: none of its operations holds it.",
                sends: false,
              }
            : {
                key: `${r.key}#op`,
                recordKey: r.key,
                connectionId: r.connectionId,
                connectionName: r.connectionName,
                vendor: r.vendor,
                vendorLabel: r.vendorLabel,
                recordName: r.name,
                operation: `${r.vendor}.op`,
                operationTitle: "User",
                changes: [{ field: "lastName", label: "Last name", before: "Berg", after: edits.surname ?? "" }],
                notes: r.vendor === "partner-center" ? ["The display name follows the name: \"Anna Lind\"."] : [],
                sends: true,
              },
        ),
    })),
    savePerson: vi.fn(async (reviewId: string, only: string[] | null) =>
      saveResult(reviewId, only ?? annaRecords.filter((r) => r.vendor !== "avepoint").map((r) => `${r.key}#op`)),
    ),
    undoPersonSave: vi.fn(async (groupId: string): Promise<PersonSaveResult> => ({
      reviewId: "",
      groupId: `undo-of-${groupId}`,
      results: annaRecords
        .filter((r) => r.vendor !== "avepoint")
        .map((r) => ({ key: `entry-${r.connectionId}`, connectionName: r.connectionName, vendorLabel: r.vendorLabel, recordName: "Anna Berg", outcome: "saved" as const, changedFields: ["lastName"] })),
      failed: [],
    })),
    linkPeople: vi.fn(async (records: string[], same: boolean) => ({ id: "d-1", kind: same ? ("same" as const) : ("different" as const), records, at: "2026-11-29T21:00:00Z" })),
    undoLink: vi.fn(async (id: string) => ({ id, kind: "same" as const, records: [], at: "2026-11-29T21:00:00Z" })),
  };
}
