// The shapes the Rust side sends (tusch_review::document and src-tauri/src/handlers.rs).

export type MaskState = "proposed" | "accepted" | "rejected";
export type Origin = "detected" | "manual" | "occurrence" | "page";

export interface DisplayRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface MaskView {
  id: number;
  page: number;
  rects: DisplayRect[];
  category: string;
  category_label: string;
  state: MaskState;
  provision: string | null;
  provision_is_default: boolean;
  origin: Origin;
  detector: string;
  rule: string;
  validation: string;
  context: boolean;
  score: number;
  text: string | null;
}

export interface PageView {
  index: number;
  width_pt: number;
  height_pt: number;
}

export type Status =
  | { kind: "analysing"; done: number; total: number }
  | { kind: "ready"; restored: boolean }
  | { kind: "failed"; message: string };

export interface ExportOutcome {
  output: string;
  pages: number;
  bytes: number;
  masks_checked: number;
  checks: string[];
  summary: string | null;
}

export interface DocumentView {
  id: number;
  name: string;
  path: string;
  pages: PageView[];
  status: Status;
  note: string | null;
  masks: MaskView[];
  proposed: number;
  accepted: number;
  rejected: number;
  can_undo: boolean;
  can_redo: boolean;
  default_output: string;
  last_export: ExportOutcome | null;
  /** What the learned list did on this document (counts only). */
  learned: LearnedSummary;
  /** Masks over protected identities ("skyddad identitet"). */
  protected: number;
}

export interface LearnedSummary {
  suggested: number;
  decisions: number;
  recorded: boolean;
}

export interface Provision {
  id: string;
  title: string;
  description: string;
}

export interface Catalogue {
  provisions: Provision[];
  defaults: Record<string, string>;
}

export interface Opened {
  documents: DocumentView[];
  ids: number[];
  errors: string[];
}

export interface Occurrences {
  count: number;
  documents: DocumentView[];
}

export interface IpcError {
  message: string;
}
