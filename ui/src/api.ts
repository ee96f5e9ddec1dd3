// Every call to the Rust side goes through here: one function per command.
import { invoke } from "@tauri-apps/api/core";
import type {
  Catalogue,
  DisplayRect,
  DocumentView,
  ExportOutcome,
  MaskState,
  Occurrences,
  Opened,
} from "./types";

/** The export dialog's choices; a missing one keeps the configuration's `[output]`. */
export interface ExportOptions {
  /** "Sökbar PDF (OCR-textlager)": the searchable profile. */
  searchable?: boolean;
  /** "Skriv lagrum i rutorna": the provision printed in each box. */
  provisionLabels?: boolean;
}

export const api = {
  initialPaths: () => invoke<string[]>("initial_paths"),
  openPaths: (paths: string[]) => invoke<Opened>("open_paths", { paths }),
  openDialog: () => invoke<Opened>("open_dialog"),
  documents: () => invoke<DocumentView[]>("documents"),
  catalogue: () => invoke<Catalogue>("catalogue"),
  setState: (id: number, masks: number[], value: MaskState) =>
    invoke<DocumentView>("set_state", { id, masks, value }),
  decideProposed: (id: number, category: string | null, value: MaskState) =>
    invoke<DocumentView>("decide_proposed", { id, category, value }),
  setProvision: (id: number, masks: number[], provision: string | null) =>
    invoke<DocumentView>("set_provision", { id, masks, provision }),
  addBox: (id: number, page: number, rect: DisplayRect, category: string) =>
    invoke<DocumentView>("add_box", { id, page, rect, category }),
  maskText: (id: number, page: number, rect: DisplayRect, category: string) =>
    invoke<DocumentView>("mask_text", { id, page, rect, category }),
  resizeMask: (id: number, mask: number, rect: DisplayRect) =>
    invoke<DocumentView>("resize_mask", { id, mask, rect }),
  removeMask: (id: number, mask: number) => invoke<DocumentView>("remove_mask", { id, mask }),
  maskPage: (id: number, page: number) => invoke<DocumentView>("mask_page", { id, page }),
  maskOccurrences: (id: number, mask: number | null, text: string | null, all: boolean) =>
    invoke<Occurrences>("mask_occurrences", { id, mask, text, all }),
  undo: (id: number) => invoke<DocumentView>("undo", { id }),
  redo: (id: number) => invoke<DocumentView>("redo", { id }),
  exportDocument: (id: number, output: string | null, options: ExportOptions = {}) =>
    invoke<ExportOutcome>("export", { id, output, options }),
};

/** The URL of a page image, served by the app's `tusch://` protocol. */
export function pageUrl(doc: number, page: number): string {
  return `tusch://localhost/page/${doc}/${page}`;
}

/** The stable code of an error from a command (`undecided`, `not_ready`, `export`, …; see
 * `ReviewError::code`), or `null` when the error is not one of the app's. */
export function errorCode(e: unknown): string | null {
  if (e && typeof e === "object" && "code" in e) return String((e as { code: unknown }).code);
  return null;
}

/** The Swedish message of an error from a command. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "message" in e) return String((e as { message: unknown }).message);
  return "Ett okänt fel inträffade.";
}
