// Pure logic of the review window: ordering, navigation, keyboard mapping and texts.
// No DOM and no IPC, so it is unit-tested directly.
import type { DocumentView, ExportOutcome, MaskView, PageView, DisplayRect } from "./types";

/** Masks in reading order: page, then top, then left. */
export function ordered(masks: MaskView[]): MaskView[] {
  const top = (m: MaskView) => Math.min(...m.rects.map((r) => r.top));
  const left = (m: MaskView) => Math.min(...m.rects.map((r) => r.left));
  return [...masks].sort((a, b) => a.page - b.page || top(a) - top(b) || left(a) - left(b) || a.id - b.id);
}

/** The next (dir = 1) or previous (-1) mask after `selected`; the first one if none. */
export function step(masks: MaskView[], selected: number | null, dir: 1 | -1): number | null {
  const list = ordered(masks);
  if (list.length === 0) return null;
  const i = list.findIndex((m) => m.id === selected);
  if (i < 0) return (dir === 1 ? list[0] : list[list.length - 1]).id;
  return list[Math.min(list.length - 1, Math.max(0, i + dir))].id;
}

/** After deciding `selected`, the next still-proposed mask (wrapping), else the next one. */
export function nextUndecided(masks: MaskView[], selected: number | null): number | null {
  const list = ordered(masks);
  const i = list.findIndex((m) => m.id === selected);
  for (let k = 1; k <= list.length; k++) {
    const m = list[(i + k + list.length) % list.length];
    if (m.state === "proposed") return m.id;
  }
  return selected;
}

export type Action =
  | "next"
  | "prev"
  | "accept"
  | "reject"
  | "accept-all"
  | "reject-category"
  | "accept-category"
  | "undo"
  | "redo"
  | "occurrences"
  | "occurrences-all"
  | "mask-page"
  | "export"
  | "help"
  | "close"
  | "zoom-in"
  | "zoom-out"
  | "zoom-fit"
  | "next-document"
  | "prev-document"
  | "find-text"
  | "open"
  | "text-mode"
  | "provision";

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

/** The action a key press asks for, or null. */
export function keyAction(e: KeyLike): Action | null {
  const ctrl = !!(e.ctrlKey || e.metaKey);
  const k = e.key;
  if (ctrl) {
    if (k.toLowerCase() === "z") return e.shiftKey ? "redo" : "undo";
    if (k.toLowerCase() === "y") return "redo";
    if (k.toLowerCase() === "e") return "export";
    if (k.toLowerCase() === "f") return "find-text";
    if (k.toLowerCase() === "o") return "open";
    return null;
  }
  if (e.altKey) return null;
  switch (k) {
    case "j":
    case "ArrowDown":
      return "next";
    case "k":
    case "ArrowUp":
      return "prev";
    case "a":
    case "Enter":
      return "accept";
    case "r":
    case "Delete":
    case "Backspace":
      return "reject";
    case "A":
      return "accept-all";
    case "c":
      return "accept-category";
    case "C":
      return "reject-category";
    case "o":
      return "occurrences";
    case "O":
      return "occurrences-all";
    case "H":
      return "mask-page";
    case "p":
      return "provision";
    case "t":
      return "text-mode";
    case "?":
      return "help";
    case "Escape":
      return "close";
    case "+":
    case "=":
      return "zoom-in";
    case "-":
      return "zoom-out";
    case "0":
      return "zoom-fit";
    case "]":
      return "next-document";
    case "[":
      return "prev-document";
    default:
      return null;
  }
}

/** Files the app opens (the file dialog offers the same): PDFs and scanned images. */
export function openable(path: string): boolean {
  return /\.(pdf|png|jpe?g|tiff?)$/i.test(path);
}

/** Shortcuts for the help overlay, in Swedish. */
export const SHORTCUTS: [string, string][] = [
  ["Ctrl+O", "Öppna PDF-filer eller bilder"],
  ["j / ↓", "Nästa förslag"],
  ["k / ↑", "Föregående förslag"],
  ["a / Enter", "Godkänn maskering"],
  ["r / Delete", "Avvisa (maskeras inte)"],
  ["Shift+A", "Godkänn alla återstående förslag"],
  ["c / Shift+C", "Godkänn / avvisa återstående i samma kategori"],
  ["o", "Maskera alla förekomster i dokumentet"],
  ["Shift+O", "Maskera alla förekomster i alla öppna dokument"],
  ["Ctrl+F", "Maskera en text överallt i dokumentet"],
  ["Shift+H", "Maskera hela sidan"],
  ["p", "Välj sekretessbestämmelse för markerad maskering"],
  ["Dra på sidan", "Rita en egen maskering"],
  ["Shift+dra / t", "Markera text på sidan och maskera den (t växlar textläge)"],
  ["Dra i hörnen", "Justera markerad maskering"],
  ["Ctrl+Z / Ctrl+Shift+Z", "Ångra / gör om"],
  ["Ctrl+E", "Exportera maskerad PDF"],
  ["+ / − / 0", "Zooma in / ut / anpassa till bredd"],
  ["[ / ]", "Föregående / nästa dokument"],
  ["?", "Visa eller dölj hjälpen"],
];

export const STATE_LABEL: Record<string, string> = {
  proposed: "Förslag",
  accepted: "Maskeras",
  rejected: "Avvisad",
};

/** A rectangle in display points as CSS percentages of its page. */
export function percentBox(r: DisplayRect, page: PageView): { left: string; top: string; width: string; height: string } {
  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(4)}%`;
  return {
    left: pct(r.left, page.width_pt),
    top: pct(r.top, page.height_pt),
    width: pct(r.right - r.left, page.width_pt),
    height: pct(r.bottom - r.top, page.height_pt),
  };
}

/** A rectangle dragged between two points given as fractions of the page, in points. */
export function dragRect(
  a: { x: number; y: number },
  b: { x: number; y: number },
  page: PageView,
): DisplayRect {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return {
    left: clamp(Math.min(a.x, b.x)) * page.width_pt,
    top: clamp(Math.min(a.y, b.y)) * page.height_pt,
    right: clamp(Math.max(a.x, b.x)) * page.width_pt,
    bottom: clamp(Math.max(a.y, b.y)) * page.height_pt,
  };
}

/** The text of the export status: whether verification passed, where the file is. */
export function exportStatus(outcome: ExportOutcome): string {
  const kb = Math.round(outcome.bytes / 1024);
  const summary = outcome.summary ? ` Underlag för beslut: ${basename(outcome.summary)}.` : "";
  return (
    `Verifieringen godkänd: ${outcome.pages} sidor, ${outcome.masks_checked} maskeringar kontrollerade ` +
    `svarta, ingen text kvar. Sparad som ${basename(outcome.output)} (${kb} kB).${summary}`
  );
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** A short status line for a document in the list. */
export function docStatus(d: DocumentView): string {
  switch (d.status.kind) {
    case "analysing":
      return `Analyserar ${d.status.done}/${d.status.total} sidor…`;
    case "failed":
      return "Kunde inte analyseras";
    case "ready":
      if (d.last_export) return "Exporterad och verifierad";
      if (d.proposed === 0) return d.masks.length === 0 ? "Inga förslag" : "Granskad – redo att exportera";
      return `${d.proposed} förslag kvar`;
  }
}

/** Plural-aware Swedish count. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
