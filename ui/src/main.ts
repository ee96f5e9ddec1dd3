// The review window. State lives in Rust; this file shows it and turns clicks and keys
// into commands. Each command returns the document's new view, which is drawn again.
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, errorCode, errorText, pageUrl } from "./api";
import {
  openable,
  SHORTCUTS,
  STATE_LABEL,
  basename,
  count,
  docStatus,
  dragRect,
  exportStatus,
  keyAction,
  nextUndecided,
  ordered,
  percentBox,
  step,
  type Action,
} from "./logic";
import type { Catalogue, DocumentView, MaskState, MaskView, Opened } from "./types";

const docs = new Map<number, DocumentView>();
let current: number | null = null;
let selected: number | null = null;
let zoom = 1;
let catalogue: Catalogue = { provisions: [], defaults: {} };
let busy = false;
let exportMessage: { ok: boolean; text: string } | null = null;
/** The export choices, kept for the session: labels on by default (issue 15). */
const exportChoices = { searchable: false, provisionLabels: true };

/** When opening started and the first page image arrived (read by the E2E test). */
const timings: { openStart?: number; firstPage?: number; lastRender?: number } = {};
(window as unknown as { tuschTimings: typeof timings }).tuschTimings = timings;

const app = document.getElementById("app") as HTMLElement;
app.innerHTML = `
  <header class="bar">
    <div class="brand">Tusch <span>granskning</span></div>
    <nav class="doclist" id="doclist" aria-label="Öppna dokument"></nav>
    <button data-testid="open" id="open" class="ghost" title="Öppna PDF-filer eller bilder (Ctrl+O)">Öppna…</button>
    <button id="help-btn" class="ghost" title="Kortkommandon (?)">? Hjälp</button>
  </header>
  <main class="layout">
    <aside class="thumbs" id="thumbs" aria-label="Sidor"></aside>
    <section class="viewer" id="viewer" tabindex="-1">
      <div class="empty" id="empty">
        <h1>Inga dokument öppna</h1>
        <p>Öppna filer med <kbd>Ctrl+O</kbd>, dra in dem hit, eller öppna dem med <code>tusch-desktop fil.pdf</code>.</p>
      </div>
      <div class="pages" id="pages"></div>
    </section>
    <aside class="panel" id="panel" aria-label="Förslag"></aside>
  </main>
  <div class="toast" id="toast" role="alert" hidden></div>
  <div class="overlay" id="help" hidden>
    <div class="help-box" role="dialog" aria-label="Kortkommandon">
      <h2>Kortkommandon</h2>
      <table>${SHORTCUTS.map(([k, v]) => `<tr><th><kbd>${k}</kbd></th><td>${v}</td></tr>`).join("")}</table>
      <p class="muted">Förslag som avvisas maskeras inte. Export kräver att alla förslag är avgjorda.
      Allt sparas automatiskt medan du arbetar.</p>
      <button id="help-close">Stäng (Esc)</button>
    </div>
  </div>`;

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function toast(text: string) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  window.clearTimeout((t as unknown as { timer?: number }).timer);
  (t as unknown as { timer?: number }).timer = window.setTimeout(() => (t.hidden = true), 6000);
}

function doc(): DocumentView | undefined {
  return current === null ? undefined : docs.get(current);
}

/**
 * Stores a document's view. A view still "analysing" never replaces a finished one: the
 * analysis thread's event can overtake the reply of the command that opened the document.
 */
function put(view: DocumentView) {
  const old = docs.get(view.id);
  if (old && old.status.kind !== "analysing" && view.status.kind === "analysing") return;
  docs.set(view.id, view);
}

/** Replaces a document's view and redraws. */
function update(view: DocumentView) {
  put(view);
  if (current === null) current = view.id;
  if (view.id === current && selected !== null && !view.masks.some((m) => m.id === selected)) selected = null;
  render();
}

async function run(f: () => Promise<DocumentView | void>) {
  try {
    const v = await f();
    if (v) update(v);
  } catch (e) {
    toast(errorText(e));
  }
}

// ---------------------------------------------------------------- drawing

let builtFor: number | null = null;

function render() {
  const t0 = performance.now();
  renderAll();
  timings.lastRender = performance.now() - t0;
}

function renderAll() {
  renderDocList();
  const d = doc();
  $("empty").hidden = !!d;
  if (!d) {
    $("pages").innerHTML = "";
    $("thumbs").innerHTML = "";
    $("panel").innerHTML = "";
    builtFor = null;
    drawnFindingsFor = null;
    return;
  }
  if (builtFor !== d.id) buildPages(d);
  $("pages").style.width = `${zoom * 100}%`;
  renderMasks(d);
  renderPanel(d);
}

function renderDocList() {
  $("doclist").innerHTML = [...docs.values()]
    .map(
      (d) => `<button class="doc ${d.id === current ? "active" : ""}" data-doc="${d.id}" title="${esc(d.path)}">
        <span class="name">${esc(d.name)}</span><span class="st">${esc(docStatus(d))}</span></button>`,
    )
    .join("");
}

/** Page frames with the right aspect ratio at once; images load as they scroll into view. */
function buildPages(d: DocumentView) {
  builtFor = d.id;
  drawnMasksFor = null;
  drawnFindingsFor = null;
  $("pages").innerHTML = d.pages
    .map(
      (p) => `<div class="page" data-testid="page" data-page-index="${p.index}"
          style="aspect-ratio: ${p.width_pt} / ${p.height_pt}">
        <img alt="Sida ${p.index + 1}" draggable="false" loading="${p.index < 2 ? "eager" : "lazy"}"
          src="${pageUrl(d.id, p.index)}" />
        <div class="masks"></div><div class="pageno">Sida ${p.index + 1} av ${d.pages.length}</div>
      </div>`,
    )
    .join("");
  $("thumbs").innerHTML = d.pages
    .map(
      (p) => `<button class="thumb" data-thumb="${p.index}" style="aspect-ratio: ${p.width_pt} / ${p.height_pt}"
        title="Sida ${p.index + 1}"><img alt="" loading="lazy" src="${pageUrl(d.id, p.index)}" /><span>${p.index + 1}</span></button>`,
    )
    .join("");
}

function maskHtml(m: MaskView, d: DocumentView): string {
  const page = d.pages[m.page];
  return m.rects
    .map((r, i) => {
      const b = percentBox(r, page);
      return `<div class="mask ${m.state} cat-${m.category} ${m.id === selected ? "selected" : ""}"
            data-testid="mask" data-mask="${m.id}" data-part="${i}" data-state="${m.state}" data-category="${m.category}"
            title="${esc(m.category_label)} – ${STATE_LABEL[m.state]}"
            style="left:${b.left};top:${b.top};width:${b.width};height:${b.height}">${
              m.id === selected && m.rects.length === 1
                ? `<span class="handle nw" data-handle="nw"></span><span class="handle se" data-handle="se"></span>`
                : ""
            }</div>`;
    })
    .join("");
}

/** What a mask's drawing depends on: when unchanged, its elements are left alone. */
const maskKey = (m: MaskView) => `${m.state}|${m.id === selected}|${m.page}|${JSON.stringify(m.rects)}`;
let drawnMasks = new Map<number, string>();
let drawnMasksFor: string | null = null;

/**
 * Draws the boxes. Only masks whose state, selection or rectangles changed are redrawn, so a
 * decision in a document with thousands of suggestions stays instant.
 */
function renderMasks(d: DocumentView) {
  const pages = [...document.querySelectorAll<HTMLElement>("#pages .page")];
  const ids = d.masks.map((m) => m.id).join(",");
  const structure = `${d.id}/${ids}`;
  if (drawnMasksFor !== structure) {
    const byPage = new Map<number, string[]>();
    for (const m of d.masks) byPage.set(m.page, [...(byPage.get(m.page) ?? []), maskHtml(m, d)]);
    pages.forEach((el) => {
      (el.querySelector(".masks") as HTMLElement).innerHTML = (byPage.get(Number(el.dataset.pageIndex)) ?? []).join("");
    });
    drawnMasks = new Map(d.masks.map((m) => [m.id, maskKey(m)]));
    drawnMasksFor = structure;
    return;
  }
  for (const m of d.masks) {
    const key = maskKey(m);
    if (drawnMasks.get(m.id) === key) continue;
    drawnMasks.set(m.id, key);
    document.querySelectorAll(`#pages [data-mask="${m.id}"]`).forEach((el) => el.remove());
    pages[m.page]?.querySelector(".masks")?.insertAdjacentHTML("beforeend", maskHtml(m, d));
  }
}

function provisionOptions(m: MaskView): string {
  const opts = catalogue.provisions
    .map(
      (p) =>
        `<option value="${esc(p.id)}" ${p.id === m.provision ? "selected" : ""} title="${esc(p.description)}">${esc(p.id)} – ${esc(p.title)}</option>`,
    )
    .join("");
  return `<select class="provision" data-provision="${m.id}" aria-label="Sekretessbestämmelse">${opts}</select>`;
}

function summaryEl(): HTMLElement {
  if (!document.getElementById("summary")) {
    $("panel").innerHTML = `<div class="summary" id="summary"></div><ol class="findings" id="findings"></ol>`;
  }
  return $("summary");
}

function findingHtml(m: MaskView): string {
  return `<li data-testid="finding" data-finding="${m.id}" data-state="${m.state}"
            class="finding ${m.state} ${m.id === selected ? "selected" : ""}">
          <div class="row1"><span class="cat cat-${m.category}">${esc(m.category_label)}</span>
            <span class="pg">s. ${m.page + 1}</span><span class="st ${m.state}">${STATE_LABEL[m.state]}</span></div>
          <div class="text">${m.text ? esc(m.text) : m.origin === "page" ? "Hela sidan" : "Egen ruta"}</div>
          <div class="why">${esc(m.detector)} · ${esc(m.rule)} · ${Math.round(m.score * 100)} %${m.validation ? ` · ${esc(m.validation)}` : ""}${m.context ? " · sammanhang" : ""}</div>
          ${
            m.id === selected
              ? `<div class="detail">${provisionOptions(m)}
              <div class="row2">
                <button data-act="accept">Godkänn (a)</button><button data-act="reject">Avvisa (r)</button>
                ${m.text ? `<button data-act="occ">Alla förekomster (o)</button>` : ""}
                ${m.origin !== "detected" ? `<button data-act="remove">Ta bort</button>` : ""}
                <button data-act="cat-accept" title="c">Godkänn återstående: ${esc(m.category_label)}</button>
                <button data-act="cat-reject" title="Shift+C">Avvisa återstående: ${esc(m.category_label)}</button>
                <button data-act="page" title="Shift+H">Maskera hela sidan</button>
              </div></div>`
              : ""
          }
        </li>`;
}

const findingKey = (m: MaskView) => `${m.state}|${m.provision}|${m.id === selected}`;
let drawnFindings = new Map<number, string>();
let drawnFindingsFor: string | null = null;

/** The side panel's list; as with the boxes, only changed rows are redrawn. */
function renderFindings(d: DocumentView, list: MaskView[]) {
  const structure = `${d.id}/${list.map((m) => m.id).join(",")}`;
  const ol = $("findings");
  if (drawnFindingsFor !== structure) {
    ol.innerHTML = list.map(findingHtml).join("");
    drawnFindings = new Map(list.map((m) => [m.id, findingKey(m)]));
    drawnFindingsFor = structure;
  } else {
    for (const m of list) {
      const key = findingKey(m);
      if (drawnFindings.get(m.id) === key) continue;
      drawnFindings.set(m.id, key);
      const li = ol.querySelector(`[data-finding="${m.id}"]`);
      if (li) li.outerHTML = findingHtml(m);
    }
  }
  ol.querySelector(".selected")?.scrollIntoView({ block: "nearest" });
}

function renderPanel(d: DocumentView) {
  const list = ordered(d.masks);
  const status =
    d.status.kind === "analysing"
      ? `<div class="progress"><div style="width:${(100 * d.status.done) / Math.max(1, d.status.total)}%"></div></div>
         <p class="muted">Analyserar sida ${d.status.done} av ${d.status.total}…</p>`
      : d.status.kind === "failed"
        ? `<p class="error">${esc(d.status.message)}</p>`
        : d.status.restored
          ? `<p class="muted">Tidigare granskning återställd.</p>`
          : "";
  const exp = exportMessage
    ? exportMessage
    : d.last_export
      ? { ok: true, text: exportStatus(d.last_export) }
      : null;
  summaryEl().innerHTML = `
      <h2>${esc(d.name)}</h2>
      ${status}
      ${d.note ? `<p class="note">${esc(d.note)}</p>` : ""}
      ${d.protected > 0 ? `<p class="note" data-testid="protected">Skyddad identitet: ${d.protected} maskeringar gäller personer med skyddad identitet.</p>` : ""}
      ${
        d.learned && (d.learned.suggested > 0 || d.learned.recorded)
          ? `<p class="muted" data-testid="learned">Inlärda beslut: ${d.learned.suggested} förslag${
              d.learned.recorded ? `, ${d.learned.decisions} beslut sparade vid export` : ""
            }</p>`
          : ""
      }
      <div class="counts">
        <span class="c proposed">${count(d.proposed, "förslag", "förslag")}</span>
        <span class="c accepted">${d.accepted} maskeras</span>
        <span class="c rejected">${count(d.rejected, "avvisad", "avvisade")}</span>
      </div>
      <div class="actions">
        <button data-testid="accept-all" id="accept-all" ${d.proposed === 0 ? "disabled" : ""}
          title="Shift+A">Godkänn alla återstående</button>
        <button data-testid="export" id="export" class="primary" ${busy || d.status.kind !== "ready" ? "disabled" : ""}
          title="Ctrl+E – sparas som ${esc(basename(d.default_output))}">${busy ? "Exporterar…" : "Exportera"}</button>
      </div>
      <div class="actions small export-options">
        <label><input type="checkbox" data-testid="export-searchable" id="export-searchable"
          ${exportChoices.searchable ? "checked" : ""}> Sökbar PDF (OCR-textlager)</label>
        <label><input type="checkbox" data-testid="export-labels" id="export-labels"
          ${exportChoices.provisionLabels ? "checked" : ""}> Skriv lagrum i rutorna</label>
      </div>
      <div class="actions small">
        <button id="undo" ${d.can_undo ? "" : "disabled"} title="Ctrl+Z">Ångra</button>
        <button id="redo" ${d.can_redo ? "" : "disabled"} title="Ctrl+Shift+Z">Gör om</button>
        <button id="find-text" title="Ctrl+F">Maskera text…</button>
        <button id="save-as" title="Exportera till en annan fil">Spara som…</button>
      </div>
      <div data-testid="export-status" id="export-status" class="export-status ${exp ? (exp.ok ? "ok" : "fail") : ""}"
        role="status">${exp ? esc(exp.text) : ""}</div>`;
  renderFindings(d, list);
}

function select(id: number | null, scroll = true) {
  selected = id;
  const d = doc();
  if (!d) return;
  render();
  if (scroll && id !== null) {
    document.querySelector(`#pages .mask[data-mask="${id}"]`)?.scrollIntoView({ block: "center", behavior: "auto" });
  }
}

// ---------------------------------------------------------------- actions

async function decide(state: MaskState) {
  const d = doc();
  if (!d || selected === null) return;
  const id = selected;
  await run(() => api.setState(d.id, [id], state));
  const after = doc();
  if (after) select(nextUndecided(after.masks, id));
}

async function exportDoc(output: string | null) {
  const d = doc();
  if (!d || busy) return;
  busy = true;
  exportMessage = { ok: true, text: "Exporterar och verifierar…" };
  render();
  try {
    const outcome = await api.exportDocument(d.id, output, { ...exportChoices });
    exportMessage = null;
    d.last_export = outcome;
  } catch (e) {
    // Undecided suggestions are a step left to take, not a failure of the export.
    exportMessage =
      errorCode(e) === "undecided"
        ? { ok: false, text: `Inget exporterades: ${errorText(e)}.` }
        : { ok: false, text: `Exporten avbröts, ingen fil sparades: ${errorText(e)}` };
  } finally {
    busy = false;
    const views = await api.documents().catch(() => [] as DocumentView[]);
    views.forEach(put);
    render();
  }
}

async function occurrences(all: boolean) {
  const d = doc();
  if (!d || selected === null) return;
  try {
    const r = await api.maskOccurrences(d.id, selected, null, all);
    r.documents.forEach(put);
    toast(r.count === 0 ? "Inga fler förekomster att maskera." : `${r.count} förekomster maskeras.`);
    render();
  } catch (e) {
    toast(errorText(e));
  }
}

async function findText() {
  const d = doc();
  if (!d) return;
  const text = window.prompt("Maskera alla förekomster av texten (hela ord):");
  if (!text) return;
  try {
    const r = await api.maskOccurrences(d.id, null, text, false);
    r.documents.forEach(put);
    toast(r.count === 0 ? "Texten finns inte i dokumentet." : `${r.count} förekomster maskeras.`);
    render();
  } catch (e) {
    toast(errorText(e));
  }
}

function currentPage(): number {
  const viewer = $("viewer");
  const pages = [...document.querySelectorAll<HTMLElement>("#pages .page")];
  const mid = viewer.scrollTop + viewer.clientHeight / 2;
  const p = pages.find((el) => el.offsetTop + el.offsetHeight > mid);
  return p ? Number(p.dataset.pageIndex) : 0;
}

function switchDoc(dir: 1 | -1) {
  const ids = [...docs.keys()];
  if (ids.length === 0) return;
  const i = ids.indexOf(current ?? ids[0]);
  current = ids[(i + dir + ids.length) % ids.length];
  selected = null;
  exportMessage = null;
  render();
}

async function perform(a: Action) {
  const d = doc();
  if (a === "help") return void ($("help").hidden = !$("help").hidden);
  if (a === "close") return void ($("help").hidden = true);
  if (a === "zoom-in") return void ((zoom = Math.min(3, zoom + 0.25)), render());
  if (a === "zoom-out") return void ((zoom = Math.max(0.5, zoom - 0.25)), render());
  if (a === "zoom-fit") return void ((zoom = 1), render());
  if (a === "next-document") return switchDoc(1);
  if (a === "open") return openDialog();
  if (a === "text-mode") return toggleTextMode();
  if (a === "prev-document") return switchDoc(-1);
  if (!d) return;
  const m = d.masks.find((x) => x.id === selected);
  switch (a) {
    case "next":
    case "prev":
      return select(step(d.masks, selected, a === "next" ? 1 : -1));
    case "accept":
      return decide("accepted");
    case "reject":
      return decide("rejected");
    case "accept-all":
      return run(() => api.decideProposed(d.id, null, "accepted"));
    case "accept-category":
    case "reject-category":
      if (m) return run(() => api.decideProposed(d.id, m.category, a === "accept-category" ? "accepted" : "rejected"));
      return;
    case "undo":
      return run(() => api.undo(d.id));
    case "redo":
      return run(() => api.redo(d.id));
    case "occurrences":
    case "occurrences-all":
      return occurrences(a === "occurrences-all");
    case "mask-page":
      return run(() => api.maskPage(d.id, m ? m.page : currentPage()));
    case "export":
      return exportDoc(null);
    case "find-text":
      return findText();
    case "provision":
      return void document.querySelector<HTMLSelectElement>("#findings .selected select")?.focus();
  }
}

// ---------------------------------------------------------------- events

document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  const typing = target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA";
  if (typing && e.key !== "Escape") return;
  if (target.tagName === "BUTTON" && (e.key === "Enter" || e.key === " ")) return;
  const a = keyAction(e);
  if (!a) return;
  e.preventDefault();
  void perform(a);
});

document.addEventListener("click", (e) => {
  const t = e.target as HTMLElement;
  const docBtn = t.closest<HTMLElement>("[data-doc]");
  if (docBtn) {
    current = Number(docBtn.dataset.doc);
    selected = null;
    exportMessage = null;
    return render();
  }
  const thumb = t.closest<HTMLElement>("[data-thumb]");
  if (thumb) {
    return document.querySelector(`#pages .page[data-page-index="${thumb.dataset.thumb}"]`)?.scrollIntoView();
  }
  const act = t.closest<HTMLElement>("[data-act]")?.dataset.act;
  if (act) {
    const d = doc();
    if (act === "accept") return void decide("accepted");
    if (act === "reject") return void decide("rejected");
    if (act === "occ") return void occurrences(false);
    if (act === "cat-accept") return void perform("accept-category");
    if (act === "cat-reject") return void perform("reject-category");
    if (act === "page") return void perform("mask-page");
    if (act === "remove" && d && selected !== null) {
      const id = selected;
      return void run(() => api.removeMask(d.id, id));
    }
  }
  const finding = t.closest<HTMLElement>("[data-finding]");
  if (finding && !t.closest("select")) return select(Number(finding.dataset.finding));
  const id = t.id;
  if (id === "accept-all") return void perform("accept-all");
  if (id === "export") return void perform("export");
  if (id === "undo") return void perform("undo");
  if (id === "redo") return void perform("redo");
  if (id === "find-text") return void perform("find-text");
  if (id === "help-btn" || id === "help-close") return void perform("help");
  if (id === "open") return void perform("open");
  if (id === "save-as") {
    const d = doc();
    const out = d ? window.prompt("Spara den maskerade PDF:en som (sökväg):", d.default_output) : null;
    if (out) void exportDoc(out);
  }
});

document.addEventListener("change", (e) => {
  const t = e.target as HTMLSelectElement;
  if (t.id === "export-searchable" || t.id === "export-labels") {
    const checked = (e.target as HTMLInputElement).checked;
    if (t.id === "export-searchable") exportChoices.searchable = checked;
    else exportChoices.provisionLabels = checked;
    return;
  }
  const d = doc();
  if (t.dataset.provision && d) {
    const mask = Number(t.dataset.provision);
    void run(() => api.setProvision(d.id, [mask], t.value));
  }
});

// Click a box to select it; drag on the page to draw a new one; drag a selected box's
// corner handle to adjust it (the opposite corner stays). Shift+drag, or any drag in text
// mode (key t), masks the text under the drag instead of drawing a box.
let drag: {
  page: HTMLElement;
  start: { x: number; y: number };
  ghost: HTMLElement;
  resize?: number;
  text?: boolean;
} | null = null;
let textMode = false;
function toggleTextMode() {
  textMode = !textMode;
  $("pages").classList.toggle("text-mode", textMode);
  toast(textMode ? "Textläge: dra över text för att maskera den (t för att lämna)." : "Ritläge: dra för att rita en ruta.");
}
function frac(page: HTMLElement, e: MouseEvent) {
  const r = page.getBoundingClientRect();
  return { x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height };
}
$("pages").addEventListener("mousedown", (e) => {
  const t = e.target as HTMLElement;
  const mask = t.closest<HTMLElement>("[data-mask]");
  const handle = t.dataset.handle;
  const d0 = doc();
  if (mask && handle && d0) {
    e.preventDefault();
    const m = d0.masks.find((x) => x.id === Number(mask.dataset.mask));
    const page = mask.closest<HTMLElement>(".page");
    if (!m || !page) return;
    const p = d0.pages[m.page];
    const r = m.rects[0];
    // The fixed corner is the one opposite the handle.
    const fixed = handle === "nw" ? { x: r.right / p.width_pt, y: r.bottom / p.height_pt } : { x: r.left / p.width_pt, y: r.top / p.height_pt };
    const ghost = document.createElement("div");
    ghost.className = "ghost-box";
    page.appendChild(ghost);
    drag = { page, start: fixed, ghost, resize: m.id };
    return;
  }
  if (mask) return select(Number(mask.dataset.mask), false);
  const page = t.closest<HTMLElement>(".page");
  if (!page || e.button !== 0 || doc()?.status.kind !== "ready") return;
  e.preventDefault();
  const text = e.shiftKey || textMode;
  const ghost = document.createElement("div");
  ghost.className = text ? "ghost-box text" : "ghost-box";
  page.appendChild(ghost);
  drag = { page, start: frac(page, e), ghost, text };
});
document.addEventListener("mousemove", (e) => {
  if (!drag) return;
  const p = frac(drag.page, e);
  const s = drag.start;
  Object.assign(drag.ghost.style, {
    left: `${Math.min(s.x, p.x) * 100}%`,
    top: `${Math.min(s.y, p.y) * 100}%`,
    width: `${Math.abs(p.x - s.x) * 100}%`,
    height: `${Math.abs(p.y - s.y) * 100}%`,
  });
});
document.addEventListener("mouseup", (e) => {
  if (!drag) return;
  const { page, start, ghost, resize, text } = drag;
  drag = null;
  ghost.remove();
  const d = doc();
  if (!d) return;
  const index = Number(page.dataset.pageIndex);
  const rect = dragRect(start, frac(page, e), d.pages[index]);
  if (text) {
    if (rect.right - rect.left <= 0 || rect.bottom - rect.top <= 0) return;
    return void run(() => api.maskText(d.id, index, rect, "other"));
  }
  if (rect.right - rect.left < 3 || rect.bottom - rect.top < 3) return;
  if (resize !== undefined) return void run(() => api.resizeMask(d.id, resize, rect));
  void run(() => api.addBox(d.id, index, rect, "other"));
});


$("pages").addEventListener(
  "load",
  () => {
    if (timings.firstPage === undefined && timings.openStart !== undefined) timings.firstPage = performance.now();
  },
  true,
);

async function openPaths(paths: string[]) {
  if (paths.length === 0) return;
  timings.openStart ??= performance.now();
  try {
    opened(await api.openPaths(paths));
  } catch (e) {
    toast(errorText(e));
  }
}

/** Shows what an open returned: the new documents, and the files that could not be opened. */
function opened(r: Opened) {
  r.documents.forEach(put);
  if (r.ids.length > 0 && (current === null || !docs.has(current))) current = r.ids[0];
  if (r.errors.length > 0) toast(r.errors.join("\n"));
  render();
}

/** "Öppna…": the native file dialog runs on the Rust side and opens what was chosen. */
async function openDialog() {
  try {
    opened(await api.openDialog());
  } catch (e) {
    toast(errorText(e));
  }
}

async function start() {
  await listen<DocumentView>("document", (e) => {
    update(e.payload);
    if (e.payload.id === current && selected === null) select(step(e.payload.masks, null, 1));
  });
  await listen<{ id: number; done: number; total: number }>("analysis-progress", (e) => {
    const d = docs.get(e.payload.id);
    if (d && d.status.kind === "analysing") {
      d.status = { kind: "analysing", done: e.payload.done, total: e.payload.total };
      if (d.id === current) renderPanel(d);
      renderDocList();
    }
  });
  await listen<{ message: string }>("app-error", (e) => toast(e.payload.message));
  try {
    await getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === "drop") void openPaths(e.payload.paths.filter(openable));
    });
  } catch {
    // Drag and drop is a convenience; the app works without it.
  }
  catalogue = await api.catalogue();
  await openPaths(await api.initialPaths());
  render();
}

void start();
