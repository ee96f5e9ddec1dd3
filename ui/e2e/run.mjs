// End-to-end test of the real built app: tauri-driver + WebKitWebDriver drive
// target/release/tusch-desktop (run this under xvfb-run). It opens a fixture by command-line
// path, waits for suggestions, rejects one, accepts the rest, exports, and then checks the
// exported file with `tusch verify` and with OCR: the rejected text is still readable, the
// accepted ones are not.
//
// The WebDriver client is a few lines of fetch (Node 20 has it): the protocol is plain
// HTTP + JSON, and this keeps WebdriverIO's large dependency tree out of the build.
//
// Environment: TUSCH_E2E_FIXTURE (default beslut-bistand.pdf), TUSCH_SCREENSHOT (save a
// screenshot of the document under review there).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const app = join(root, "target/release/tusch-desktop");
const tusch = join(root, "target/release/tusch");
const fixture = process.env.TUSCH_E2E_FIXTURE ?? "beslut-bistand.pdf";
const started = Date.now();
let passed = 0;
let failed = 0;

function check(ok, what) {
  if (ok) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failed++;
    console.log(`FAIL ${what}`);
  }
}

function findDriver() {
  for (const p of [process.env.TAURI_DRIVER, join(homedir(), ".cargo/bin/tauri-driver"), "/usr/local/bin/tauri-driver"]) {
    if (p && existsSync(p)) return p;
  }
  return "tauri-driver";
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const norm = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

// ------------------------------------------------------------------ a tiny WebDriver client
const base = "http://127.0.0.1:4444";
let session = null;

async function wd(method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json).slice(0, 300)}`);
  return json.value;
}
const ELEM = "element-6066-11e4-a52e-4f735466cecc";
const s = (p) => `/session/${session}${p}`;
// WebKitWebDriver answers with the W3C element key; older drivers with "ELEMENT".
const findAll = async (css) =>
  (await wd("POST", s("/elements"), { using: "css selector", value: css })).map((e) => e[ELEM] ?? e.ELEMENT ?? Object.values(e)[0]);
const click = (el) => wd("POST", s(`/element/${el}/click`), {});
const text = (el) => wd("GET", s(`/element/${el}/text`));
const attr = (el, name) => wd("GET", s(`/element/${el}/attribute/${name}`));
const exec = (script, args = []) => wd("POST", s("/execute/sync"), { script, args });
/** Presses one key (a WebDriver key value, e.g. "r" or "\uE015" for arrow down). */
const press = (key) =>
  wd("POST", s("/actions"), {
    actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
  });
const selectedId = () => exec("const e = document.querySelector('[data-testid=finding].selected'); return e ? Number(e.dataset.finding) : null;");

async function waitFor(what, f, timeoutMs = 60000) {
  const t0 = Date.now();
  for (;;) {
    const v = await f().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// ------------------------------------------------------------------ OCR
function ocr(pdf, work, tag) {
  const prefix = join(work, tag);
  const r = spawnSync("pdftoppm", ["-r", "200", "-gray", "-png", pdf, prefix]);
  if (r.status !== 0) throw new Error("pdftoppm failed");
  return readdirSync(work)
    .filter((f) => f.startsWith(`${tag}-`) && f.endsWith(".png"))
    .sort()
    .map((f) =>
      spawnSync("tesseract", [join(work, f), "-", "-l", "swe", "--psm", "3"], {
        env: { ...process.env, OMP_THREAD_LIMIT: "1" },
        encoding: "utf8",
      }).stdout,
    )
    .join("\n");
}

// ------------------------------------------------------------------ the test
async function main() {
  for (const [p, hint] of [[app, "make desktop"], [tusch, "make build"]]) {
    if (!existsSync(p)) throw new Error(`${p} is missing (${hint})`);
  }
  const work = mkdtempSync(join(tmpdir(), "tusch-e2e-"));
  const pdf = join(work, fixture);
  copyFileSync(join(root, "fixtures/documents", fixture), pdf);
  mkdirSync(join(work, "data"));
  mkdirSync(join(work, "config"));
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(work, "data"),
    XDG_CONFIG_HOME: join(work, "config"),
    XDG_STATE_HOME: join(work, "state"),
  };

  const driver = spawn(findDriver(), ["--port", "4444", "--native-port", "4445"], { env, stdio: ["ignore", "inherit", "inherit"] });
  let driverExited = false;
  driver.on("exit", () => (driverExited = true));
  try {
    await waitFor("tauri-driver", async () => (await fetch(`${base}/status`)).ok, 20000);
    const t0 = Date.now();
    const caps = await wd("POST", "/session", {
      capabilities: {
        alwaysMatch: { browserName: "wry", "tauri:options": { application: app, args: [pdf] } },
      },
    });
    session = caps.sessionId;

    const pages = await waitFor("the first page frame", async () => {
      const p = await findAll('[data-testid="page"]');
      return p.length > 0 ? p : null;
    });
    const firstPageMs = Date.now() - t0;
    // The native file dialog cannot be driven over WebDriver; its button must be there.
    check((await findAll('[data-testid="open"]')).length === 1, "the Öppna… button is in the header");
    check(pages.length >= 1, `page frames shown (${pages.length}) ${firstPageMs} ms after the session started`);
    await waitFor("the first page image", () =>
      exec("const i = document.querySelector('[data-testid=page] img'); return !!(i && i.complete && i.naturalWidth > 0);"),
    );
    const tm = await waitFor("timings", () => exec("const t = window.tuschTimings; return t && t.firstPage ? t.firstPage - t.openStart : null;"));
    console.log(`     first page image shown ${Math.round(tm)} ms after the app asked to open the file (${Date.now() - t0} ms after the session started)`);

    const findings = await waitFor("suggestions", async () => {
      const f = await findAll('[data-testid="finding"]');
      return f.length > 0 ? f : null;
    });
    const masks = await findAll('[data-testid="mask"]');
    check(findings.length >= 3, `suggestions listed (${findings.length}), boxes drawn (${masks.length})`);
    check(
      (await Promise.all(masks.map((m) => attr(m, "data-state")))).every((st) => st === "proposed"),
      "every box starts as proposed",
    );

    // Pick a distinctive suggestion to reject: a number, whose text no other suggestion shares.
    const rows = await exec(`return [...document.querySelectorAll('[data-testid=finding]')].map(li => ({
      id: Number(li.dataset.finding), text: li.querySelector('.text').textContent,
      cat: li.querySelector('.cat').textContent }));`);
    const counts = new Map();
    rows.forEach((r) => counts.set(norm(r.text), (counts.get(norm(r.text)) ?? 0) + 1));
    const unique = rows.filter((r) => counts.get(norm(r.text)) === 1 && norm(r.text).length >= 6);
    const victim = unique.find((r) => /\d{6}/.test(norm(r.text))) ?? unique[0];
    if (!victim) throw new Error("no suggestion with a unique text to reject");

    // Keyboard: j/k move the selection; r rejects the selected suggestion.
    await click((await findAll(`[data-finding="${victim.id}"] .text`))[0]);
    await waitFor("the selection", async () => (await selectedId()) === victim.id);
    const order = await exec("return [...document.querySelectorAll('[data-testid=finding]')].map(li => Number(li.dataset.finding));");
    const [away, back] = order[order.length - 1] === victim.id ? ["k", "j"] : ["j", "k"];
    await press(away);
    const moved = await waitFor(`${away} to move`, async () => {
      const id = await selectedId();
      return id !== null && id !== victim.id ? id : null;
    }, 5000);
    await press(back);
    await waitFor(`${back} to move back`, async () => (await selectedId()) === victim.id, 5000);
    check(moved !== victim.id, "j and k move between suggestions");
    await press("r");
    await waitFor("the rejection", async () => (await findAll(`[data-testid="mask"][data-mask="${victim.id}"][data-state="rejected"]`)).length > 0);
    check(true, `rejected one suggestion with r (${victim.cat})`);

    if (process.env.TUSCH_SCREENSHOT) {
      // Select a suggestion further down, so the picture shows its details; give Xvfb's
      // software rendering time to paint.
      const rowsNow = await findAll('[data-testid="finding"]');
      await click(rowsNow[Math.min(2, rowsNow.length - 1)]);
      await sleep(3000);
      // The X server's picture: WebKit's own WebDriver screenshot leaves page images out.
      const shot = spawnSync("import", ["-window", "root", process.env.TUSCH_SCREENSHOT]);
      if (shot.status !== 0) {
        const png = await wd("GET", s("/screenshot"));
        writeFileSync(process.env.TUSCH_SCREENSHOT, Buffer.from(png, "base64"));
      }
      console.log(`     screenshot saved to ${process.env.TUSCH_SCREENSHOT}`);
    }

    await click((await findAll('[data-testid="accept-all"]'))[0]);
    await waitFor("all decided", async () => (await findAll('[data-testid="mask"][data-state="proposed"]')).length === 0);
    const states = await Promise.all((await findAll('[data-testid="mask"]')).map((m) => attr(m, "data-state")));
    check(
      states.filter((x) => x === "rejected").length >= 1 && states.filter((x) => x === "accepted").length >= 2,
      `accept all kept the rejection (${states.filter((x) => x === "accepted").length} accepted)`,
    );

    // Issue 15: provisions printed in the boxes is the export's default.
    const labels = (await findAll('[data-testid="export-labels"]'))[0];
    check((await wd("GET", s(`/element/${labels}/selected`))) === true, "the export prints provisions in the boxes by default");
    const tExport = Date.now();
    await click((await findAll('[data-testid="export"]'))[0]);
    const status = await waitFor("the export status", async () => {
      const t = await text((await findAll('[data-testid="export-status"]'))[0]);
      return /godkänd|avbröts/.test(t) ? t : null;
    }, 120000);
    check(status.includes("Verifieringen godkänd"), `export-status says verification passed (${Date.now() - tExport} ms)`);

    await wd("DELETE", s(""));
    session = null;

    // Reopening the document restores every decision (the autosave in XDG_DATA_HOME).
    session = (await wd("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app, args: [pdf] } } },
    })).sessionId;
    const restored = await waitFor("restored suggestions", async () => {
      const st = await exec("return [...document.querySelectorAll('[data-testid=mask]')].map(m => m.dataset.state + ':' + m.dataset.mask).sort().join(',')");
      return st.length > 0 && !st.includes("proposed") ? st : null;
    });
    const before = states.length;
    check(
      restored.includes(`rejected:${victim.id}`) && restored.split(",").length === before,
      "reopening the document restores every decision",
    );

    // Text mode (t): a drag from beside the rejected suggestion into it masks the text under
    // the drag as one new accepted mask; Ctrl+Z takes it back.
    await press("t");
    const r = await exec(`const m = document.querySelector('[data-testid=mask][data-mask="${victim.id}"]');
      m.scrollIntoView({ block: "center" }); const b = m.getBoundingClientRect();
      return { x: b.left, y: b.top + b.height / 2, w: b.width };`);
    const drag = [
      { type: "pointerMove", x: Math.round(r.x - 4), y: Math.round(r.y), origin: "viewport" },
      { type: "pointerDown", button: 0 },
      { type: "pointerMove", x: Math.round(r.x + r.w / 2), y: Math.round(r.y + 2), origin: "viewport" },
      { type: "pointerUp", button: 0 },
    ];
    await wd("POST", s("/actions"), { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: drag }] });
    await waitFor("the text mask", async () => (await findAll('[data-testid="finding"]')).length > rows.length, 10000);
    const added = await exec(`const ids = [...document.querySelectorAll('[data-testid=finding]')].map(li => Number(li.dataset.finding));
      const li = document.querySelector('[data-testid=finding][data-finding="' + Math.max(...ids) + '"]');
      return { state: li.dataset.state, text: li.querySelector('.text').textContent };`);
    // A drawn box has no text: a text here means the characters under the drag were found.
    const within = norm(added.text).length > 0 && norm(victim.text).includes(norm(added.text).slice(-3));
    check(added.state === "accepted" && within, "a drag in text mode masks the text under it (accepted)");
    await wd("POST", s("/actions"), {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: "\uE009" }, { type: "keyDown", value: "z" }, { type: "keyUp", value: "z" }, { type: "keyUp", value: "\uE009" }] }],
    });
    await waitFor("undo of the text mask", async () => (await findAll('[data-testid="finding"]')).length === rows.length, 10000);
    check(true, "Ctrl+Z removes the text mask");
    await wd("DELETE", s(""));
    session = null;

    // The exported file, checked independently of the app.
    const out = pdf.replace(/\.pdf$/, "-maskerad.pdf");
    check(existsSync(out), `wrote ${out.split("/").pop()} beside the original`);
    check(existsSync(pdf.replace(/\.pdf$/, "-underlag.txt")), "wrote the decision summary beside it");
    check(existsSync(pdf.replace(/\.pdf$/, "-underlag.pdf")), "wrote the decision summary as PDF beside it");
    const v = spawnSync(tusch, ["verify", out], { encoding: "utf8" });
    check(v.status === 0, `tusch verify passes (exit ${v.status})`);
    // Issue 14: the export is in the audit log, and the chain verifies.
    const audit = spawnSync(tusch, ["audit", "verify", join(work, "state", "tusch", "audit.jsonl")], { encoding: "utf8" });
    check(audit.status === 0, `the export is in the audit log and tusch audit verify passes (exit ${audit.status})`);

    const original = norm(ocr(pdf, work, "orig"));
    const redacted = norm(ocr(out, work, "out"));
    const victimText = norm(victim.text);
    if (!original.includes(victimText)) throw new Error("OCR cannot read the rejected text in the original; pick another fixture");
    check(redacted.includes(victimText), "the rejected text is still readable in the export (OCR)");
    const accepted = rows
      .filter((r) => r.id !== victim.id)
      .map((r) => norm(r.text))
      .filter((t) => t.length >= 6 && original.includes(t) && !victimText.includes(t) && !t.includes(victimText));
    const leaked = accepted.filter((t) => redacted.includes(t));
    // The labels are white pixel-font text in the black boxes: OCR reads "OSL 21:7".
    check(/osl\d/.test(redacted), "the provision is printed in the boxes (OCR reads OSL)");
    check(accepted.length >= 2 && leaked.length === 0, `accepted texts gone from the export (${accepted.length} checked, ${leaked.length} readable)`);
    rmSync(work, { recursive: true, force: true });
  } finally {
    if (session) await wd("DELETE", s("")).catch(() => {});
    // SIGTERM, not SIGKILL: tauri-driver then ends WebKitWebDriver and the app, and no
    // orphan keeps this process's pipes open.
    if (!driverExited) {
      driver.kill("SIGTERM");
      for (let i = 0; i < 50 && !driverExited; i++) await sleep(100);
    }
  }
}

main()
  .catch((e) => {
    failed++;
    console.log(`FAIL ${e.message}`);
  })
  .finally(() => {
    console.log(`e2e (desktop app): ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(failed > 0 ? 1 : 0);
  });
