// Headless Chromium checks for tests/test_hardening_views.py (issue 13, item 16).
//
//   node check.mjs mermaid  < {"diagrams": ["flowchart TD ...", ...]}
//       → [{"ok": true, "title": [...], "nodes": [...], "edges": [...]} | {"ok": false, "error": "..."}, ...]
//       ("config" in the input: Mermaid's configuration, e.g. {"htmlLabels": false})
//   node check.mjs matrix   < {"pages": ["/abs/page.html", ...], "width": 1400}
//       → [{"overflowing": [...], "tableRight": n, "viewport": n, "midWord": [...], "pdfPages": n}, ...]
//
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); nothing is fetched from the network:
// Mermaid is loaded from node_modules into a blank page.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

// Nothing but local files: a page that fetched anything would fail the check.
const fetched = [];
function localOnly(route) {
  const url = route.request().url();
  if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
  fetched.push(url);
  return route.abort();
}

async function mermaid(browser, input) {
  const page = await browser.newPage();
  await page.route("**/*", localOnly);
  await page.setContent("<!DOCTYPE html><html><body></body></html>");
  await page.addScriptTag({ path: join(here, "node_modules", "mermaid", "dist", "mermaid.min.js") });
  await page.evaluate((c) => { window.MERMAID_CONFIG = c; }, input.config ?? {});
  const out = await page.evaluate(async (diagrams) => {
    window.mermaid.initialize({ startOnLoad: false, ...(window.MERMAID_CONFIG || {}) });
    const results = [];
    let n = 0;
    for (const text of diagrams) {
      try {
        const { svg } = await window.mermaid.render(`graph${n++}`, text);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        document.body.appendChild(holder);
        const texts = (selector) => [...holder.querySelectorAll(selector)].map((e) => e.textContent);
        const err = holder.querySelector(".error-icon, .error-text");
        results.push({ ok: !err, error: err ? err.textContent : null, title: texts(".flowchartTitleText"),
          nodes: texts("g.node"), edges: texts("g.edgeLabel").filter((t) => t.trim()) });
      } catch (e) {
        results.push({ ok: false, error: String(e && e.message || e) });
      }
    }
    return results;
  }, input.diagrams);
  await page.close();
  return out;
}

function measure() {
  const table = document.querySelector("table");
  const overflowing = [];
  for (const cell of document.querySelectorAll("th, td")) {
    if (cell.scrollWidth > cell.clientWidth + 1) overflowing.push(cell.textContent.slice(0, 60));
  }
  // A word broken inside: a text node whose letters are laid on two lines where no break
  // opportunity (space, hyphen, or <wbr> after `_`) is.
  const midWord = [];
  const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    const range = document.createRange();
    let lastTop = null;
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (lastTop !== null && rect.top > lastTop + 2) {
        const before = text[i - 1] ?? "", here = text[i];
        // a new line may start after a space or hyphen, or at a text node's start (after <wbr>)
        if (!/[\s\-–—\/,]/.test(before) && !/\s/.test(here)) {
          midWord.push(text.slice(Math.max(0, i - 12), i) + "|" + text.slice(i, i + 12));
        }
      }
      lastTop = rect.top;
    }
  }
  return { overflowing, midWord, tableRight: table.getBoundingClientRect().right,
    viewport: document.documentElement.clientWidth,
    scrollWidth: document.documentElement.scrollWidth };
}

async function matrix(browser, input) {
  const width = input.width ?? 1400;
  const results = [];
  for (const file of input.pages) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.route("**/*", localOnly);
    await page.goto("file://" + file);
    const measured = await page.evaluate(measure);
    if (input.screenshots) await page.screenshot({ path: file.replace(/\.html$/, ".png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    await page.setViewportSize({ width: 1062, height: 733 });  // A4 landscape less 8 mm margins, at 96 dpi
    const printed = await page.evaluate(measure);
    const printHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    if (input.screenshots) await page.screenshot({ path: file.replace(/\.html$/, ".print.png"), fullPage: true });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const pdfPages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    results.push({ file, ...measured, pdfPages, printHeight, printOverflowing: printed.overflowing,
      printMidWord: printed.midWord, printTableRight: printed.tableRight, printViewport: printed.viewport });
    await page.close();
  }
  return results;
}

const mode = process.argv[2];
const input = JSON.parse(readFileSync(0, "utf8"));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: FLAGS });
try {
  const out = mode === "mermaid" ? await mermaid(browser, input) : await matrix(browser, input);
  process.stdout.write(JSON.stringify({ results: out, fetched }));
} finally {
  await browser.close();
}
