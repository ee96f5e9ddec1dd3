import { describe, expect, it } from "vitest";
import { openable, dragRect, exportStatus, keyAction, nextUndecided, ordered, percentBox, step, docStatus } from "../src/logic";
import type { DocumentView, MaskView } from "../src/types";

function mask(id: number, page: number, top: number, state: MaskView["state"] = "proposed"): MaskView {
  return {
    id, page, state,
    rects: [{ left: 10, top, right: 50, bottom: top + 10 }],
    category: "person", category_label: "Namn", provision: "21 kap. 7 § OSL", provision_is_default: true,
    origin: "detected", detector: "namn", rule: "förnamn", validation: "", context: false, score: 0.9, text: "x",
  };
}

describe("navigation", () => {
  const masks = [mask(3, 1, 100), mask(1, 0, 300), mask(2, 0, 100)];

  it("orders by page, then top", () => {
    expect(ordered(masks).map((m) => m.id)).toEqual([2, 1, 3]);
  });

  it("steps forward and back and stops at the ends", () => {
    expect(step(masks, null, 1)).toBe(2);
    expect(step(masks, null, -1)).toBe(3);
    expect(step(masks, 2, 1)).toBe(1);
    expect(step(masks, 3, 1)).toBe(3);
    expect(step(masks, 2, -1)).toBe(2);
    expect(step([], null, 1)).toBeNull();
  });

  it("after a decision jumps to the next undecided one, wrapping", () => {
    const m = [mask(1, 0, 10, "accepted"), mask(2, 0, 20, "proposed"), mask(3, 0, 30, "accepted")];
    expect(nextUndecided(m, 3)).toBe(2);
    expect(nextUndecided(m, 1)).toBe(2);
    expect(nextUndecided([mask(1, 0, 10, "accepted")], 1)).toBe(1);
  });
});

describe("keyboard", () => {
  it("maps the documented shortcuts", () => {
    expect(keyAction({ key: "j" })).toBe("next");
    expect(keyAction({ key: "ArrowUp" })).toBe("prev");
    expect(keyAction({ key: "a" })).toBe("accept");
    expect(keyAction({ key: "Enter" })).toBe("accept");
    expect(keyAction({ key: "r" })).toBe("reject");
    expect(keyAction({ key: "Delete" })).toBe("reject");
    expect(keyAction({ key: "A", shiftKey: true })).toBe("accept-all");
    expect(keyAction({ key: "z", ctrlKey: true })).toBe("undo");
    expect(keyAction({ key: "Z", ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(keyAction({ key: "e", ctrlKey: true })).toBe("export");
    expect(keyAction({ key: "?" })).toBe("help");
    expect(keyAction({ key: "o", ctrlKey: true })).toBe("open");
    expect(keyAction({ key: "t" })).toBe("text-mode");
  });

  it("opens PDFs and scanned images only", () => {
    for (const p of ["/a/b.pdf", "C.PDF", "skan.png", "x.jpg", "x.JPEG", "x.tif", "x.tiff"]) expect(openable(p)).toBe(true);
    for (const p of ["a.docx", "pdf", "a.pdf.txt", "bild.gif"]) expect(openable(p)).toBe(false);
  });

  it("ignores other keys and Alt combinations", () => {
    expect(keyAction({ key: "x" })).toBeNull();
    expect(keyAction({ key: "a", altKey: true })).toBeNull();
    expect(keyAction({ key: "q", ctrlKey: true })).toBeNull();
  });
});

describe("geometry", () => {
  const page = { index: 0, width_pt: 600, height_pt: 800 };

  it("places a box as percentages of its page", () => {
    expect(percentBox({ left: 60, top: 80, right: 120, bottom: 160 }, page)).toEqual({
      left: "10.0000%", top: "10.0000%", width: "10.0000%", height: "10.0000%",
    });
  });

  it("turns a drag in any direction into a clamped box in points", () => {
    expect(dragRect({ x: 0.5, y: 0.5 }, { x: 0.1, y: -0.2 }, page)).toEqual({
      left: 60, top: 0, right: 300, bottom: 400,
    });
  });
});

describe("texts", () => {
  it("says that verification passed and where the file is", () => {
    const s = exportStatus({
      output: "/tmp/a/beslut-maskerad.pdf", pages: 2, bytes: 204800, masks_checked: 7,
      checks: [], summary: "/tmp/a/beslut-underlag.txt",
    });
    expect(s).toContain("Verifieringen godkänd");
    expect(s).toContain("beslut-maskerad.pdf");
    expect(s).toContain("7 maskeringar");
    expect(s).toContain("beslut-underlag.txt");
  });

  it("describes a document's status", () => {
    const d = { status: { kind: "ready", restored: false }, proposed: 3, masks: [], last_export: null } as unknown as DocumentView;
    expect(docStatus(d)).toBe("3 förslag kvar");
    expect(docStatus({ ...d, status: { kind: "analysing", done: 1, total: 4 } })).toBe("Analyserar 1/4 sidor…");
  });
});
