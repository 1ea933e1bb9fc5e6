#!/usr/bin/env python3
"""tests/report/browser_check.py -- open a proftorture report in headless Chromium and check
what a person sees.

  browser_check.py --report R.html --truth S.json [--bench B.json] [--screenshot OUT.png]
                   [--self-test]

--truth is the summary.json the page was made from (for a pooled page, `proftorture merge
--json`'s output: the runner's own pooled verdicts, not the page's). Chromium is driven
over its DevTools protocol on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, JSON
messages ending in NUL), so no websocket library and no network are needed. The page is
loaded, then questions are asked of the rendered DOM (layout boxes, computed colours), not
of the HTML text:

  - nothing went wrong: no console error or warning, no uncaught exception, no dialog, no
    request for anything but the page itself, no <script>, nothing loaded from elsewhere;
  - the matrix: one visible <td class="cell"> per cell of the truth, each once, with the
    truth's verdict (class and a background colour of its own per verdict), an outline
    exactly where the truth says the cell does not match, and its number of runs;
  - per arch with a cell expected to fail: one CDF plot whose x and y axes are drawn with at
    least two visible tick labels each, and one visible curve per such cell (no more), each
    inside the plot;
  - per arch: one exposure bar per clean cell;
  - every link to a kept output or replay script points at a file that exists;
  - with --bench: one rate plot with a ceiling and a stress bar per arch of the bench.json;
  - the configuration shows the truth's commit.
A full-page screenshot (PNG) is kept with --screenshot.

--self-test breaks copies of the page in the ways the checks are there for (a cell
removed, a curve removed, the matrix hidden by CSS, an image from the network, an inline
script) and fails unless every broken copy fails the check that should catch it.

Exit status: 0 all checks passed, 1 a check failed, 77 Chromium is not installed (skipped,
never passed), 2 usage or Chromium could not be driven.
"""
import argparse, base64, json, os, re, shutil, signal, subprocess, sys, tempfile, time

SKIP = 77
TIMEOUT_S = 60

def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None

class Browser:
    """Chromium over --remote-debugging-pipe; one page."""

    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="proftorture-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # the pipe ends become the child's fd 3 and fd 4
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        # --no-sandbox: CI runs as root in a container (Chromium refuses root with its
        # sandbox); the page is our own local file. --disable-dev-shm-usage: a container's
        # /dev/shm is 64 MB. The other flags keep Chromium from reaching for the network.
        self.proc = subprocess.Popen(
            [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--disable-default-apps",
             "--hide-scrollbars", "--user-data-dir=" + self.profile, "about:blank"],
            close_fds=False, preexec_fn=fds, stdout=self.log, stderr=self.log,
            start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf, self.next_id, self.events = b"", 0, []
        self.deadline = time.time() + TIMEOUT_S

    def _read(self):
        import select
        while b"\0" not in self.buf:
            left = self.deadline - time.time()
            if left <= 0 or not select.select([self.from_child], [], [], left)[0]:
                raise RuntimeError("Chromium did not answer within %d s" % TIMEOUT_S)
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium exited (log: %s)" % self.log.name)
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, name):
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == name:
                    return self.events.pop(i)
            self.events.append(self._read())

    def close(self):
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

# Run in the page: everything the checks need, from the rendered layout.
PROBE = r"""
(() => {
  const box = e => { const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y + window.scrollY, w: r.width, h: r.height}; };
  const styled = e => { for (; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false; }
    return true; };
  const shown = e => { const r = e.getBoundingClientRect();
    return styled(e) && r.width > 0 && r.height > 0; };
  const cells = [...document.querySelectorAll('td.cell')].map(td => ({
    cell: td.dataset.cell, cls: td.className, box: box(td), shown: shown(td),
    bg: getComputedStyle(td).backgroundColor, border: getComputedStyle(td).borderTopColor,
    text: td.innerText}));
  const axis = (svg, which) => { const g = svg.querySelector('g.axis.' + which);
    if (!g) return null;
    const line = g.querySelector('line');
    return {line: line ? box(line) : null, shown: shown(g),
            ticks: [...g.querySelectorAll('text.tick')].filter(shown).map(t => t.textContent)}; };
  const plots = [...document.querySelectorAll('svg.plot')].map(svg => ({
    kind: [...svg.classList].filter(c => c !== 'plot')[0], label: svg.getAttribute('aria-label'),
    arch: svg.closest('[data-arch]') ? svg.closest('[data-arch]').dataset.arch : null,
    box: box(svg), shown: shown(svg), x: axis(svg, 'x'), y: axis(svg, 'y'),
    curves: [...svg.querySelectorAll('path.curve')].map(p => ({cell: p.dataset.cell,
      box: box(p), visible: styled(p) && getComputedStyle(p).stroke !== 'none',
      stroke: getComputedStyle(p).stroke,
      dash: p.getAttribute('stroke-dasharray')})),
    bars: [...svg.querySelectorAll('rect.bar')].map(r => ({cell: r.dataset.cell,
      box: box(r), shown: shown(r)}))}));
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  const foreign = [...document.querySelectorAll('[src],link[href],object,embed,iframe')]
    .map(e => e.outerHTML.slice(0, 120));
  return {cells, plots, links, foreign, scripts: document.scripts.length,
          config: (document.querySelector('table.config') || {innerText: ''}).innerText,
          width: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight};
})()
"""

def load(exe, page, screenshot):
    """Opens the page; returns (facts from PROBE, problems seen while loading)."""
    b = Browser(exe)
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(domain + ".enable", session=s)
        b.call("Emulation.setDeviceMetricsOverride", {"width": 1400, "height": 900,
               "deviceScaleFactor": 1, "mobile": False}, session=s)
        url = "file://" + os.path.abspath(page)
        b.call("Page.navigate", {"url": url}, session=s)
        b.wait_event("Page.loadEventFired")
        facts = b.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True},
                       session=s)
        if "exceptionDetails" in facts:
            raise RuntimeError("the probe failed: %s" % facts["exceptionDetails"])
        facts = facts["result"]["value"]
        if screenshot:
            b.call("Emulation.setDeviceMetricsOverride", {"width": 1400,
                   "height": int(facts["height"]), "deviceScaleFactor": 1, "mobile": False},
                   session=s)
            png = b.call("Page.captureScreenshot", {"format": "png"}, session=s)["data"]
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(png))
        time.sleep(0.2)  # late console messages
        b.call("Runtime.evaluate", {"expression": "1"}, session=s)
        return facts, loading_problems(b.events, url)
    finally:
        b.close()

def loading_problems(events, url):
    bad = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            bad.append("console %s: %s" % (p["type"], [a.get("value") for a in p.get("args", [])]))
        elif m == "Runtime.exceptionThrown":
            bad.append("exception: %s" % p["exceptionDetails"].get("text"))
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            bad.append("console %s: %s" % (p["entry"]["level"], p["entry"]["text"]))
        elif m == "Page.javascriptDialogOpening":
            bad.append("a dialog opened: %s" % p.get("message"))
        elif m == "Network.requestWillBeSent" and p["request"]["url"] != url:
            bad.append("the page requested %s" % p["request"]["url"])
    return bad

def cell_id(c):
    return "%s %s/%s/%s" % (c["arch"], c["case"], c["variant"], c["atomics"])

def check_matrix(facts, truth, fail):
    want = {cell_id(c): c for c in truth["cells"]}
    got = [c["cell"] for c in facts["cells"]]
    if sorted(got) != sorted(want):
        missing, extra = set(want) - set(got), [c for c in got if c not in want or got.count(c) > 1]
        fail("matrix", "%d cells on the page, %d in the summary; missing %s, extra or twice %s"
             % (len(got), len(want), sorted(missing)[:5], sorted(set(extra))[:5]))
    colour = {}
    for c in facts["cells"]:
        t = want.get(c["cell"])
        if not t:
            continue
        if not c["shown"] or c["box"]["w"] < 60 or c["box"]["h"] < 30:
            fail("matrix", "cell %s is not visible (box %s)" % (c["cell"], c["box"]))
        classes = c["cls"].split()
        if "v-" + t["verdict"] not in classes:
            fail("matrix", "cell %s shows %s, the summary says %s" % (c["cell"], classes, t["verdict"]))
        mismatch = not t["skipped"] and not t["matches"]
        if ("mismatch" in classes) != mismatch or (mismatch and c["border"] == c["bg"]):
            fail("matrix", "cell %s: outlined %s, but matches=%s" % (c["cell"], "mismatch" in classes, t["matches"]))
        if not re.search(r"\b%d runs?\b" % t["runs"], c["text"]):
            fail("matrix", "cell %s does not say its %d runs: %r" % (c["cell"], t["runs"], c["text"]))
        colour.setdefault(t["verdict"], set()).add(c["bg"])
    seen = {}
    for verdict, bgs in colour.items():
        for bg in bgs:
            if bg in seen and seen[bg] != verdict:
                fail("matrix", "verdicts %s and %s share the colour %s" % (seen[bg], verdict, bg))
            seen[bg] = verdict

def buggy(c):
    return c["expected"] != "pass" and not c["skipped"]

def check_axes(p, fail):
    for which in ("x", "y"):
        a = p[which]
        if not a or not a["shown"] or not a["line"] or max(a["line"]["w"], a["line"]["h"]) < 50:
            fail("plots", "%s: no visible %s axis" % (p["label"], which))
        elif len(a["ticks"]) < 2:
            fail("plots", "%s: %s axis has %d tick labels" % (p["label"], which, len(a["ticks"])))

def check_plots(facts, truth, fail):
    arches = []
    for c in truth["cells"]:
        if c["arch"] not in arches:
            arches.append(c["arch"])
    plots = facts["plots"]
    for arch in arches:
        want = sorted(cell_id(c) for c in truth["cells"] if c["arch"] == arch and buggy(c))
        ecdf = [p for p in plots if p["kind"] == "ecdf" and p["arch"] == arch]
        if len(ecdf) != (1 if want else 0):
            fail("plots", "%s: %d CDF plots for %d cells expected to fail" % (arch, len(ecdf), len(want)))
            continue
        for p in ecdf:
            check_axes(p, fail)
            got = sorted(k["cell"] for k in p["curves"])
            if got != want:
                fail("plots", "%s: curves for %s, cells expected to fail %s" % (arch, got, want))
            for k in p["curves"]:
                b, s = k["box"], p["box"]
                inside = b["x"] >= s["x"] - 1 and b["x"] + b["w"] <= s["x"] + s["w"] + 1
                # a cell that never failed is a flat line (no height) drawn over the x axis
                if not k["visible"] or b["w"] < 20 or not inside:
                    fail("plots", "%s: curve %s not drawn inside its plot (%s in %s)" % (arch, k["cell"], b, s))
            styles = [(k["stroke"], k["dash"]) for k in p["curves"]]
            if len(set(styles)) != len(styles):
                fail("plots", "%s: two curves look the same" % arch)
        clean = sorted(c["cell"] for c in facts["cells"] if c["cell"].startswith(arch + " ") and "v-clean" in c["cls"].split())
        # a bar per clean cell; one of no near misses has no length, and says "none counted"
        bars = [b["cell"] for p in plots if p["kind"] == "exposure" and p["arch"] == arch for b in p["bars"]]
        if sorted(bars) != clean:
            fail("plots", "%s: exposure bars %s for clean cells %s" % (arch, sorted(bars), clean))
        for p in (p for p in plots if p["kind"] == "exposure" and p["arch"] == arch):
            check_axes(dict(p, y={"shown": True, "line": p["y"]["line"], "ticks": ["", ""]}), fail)

def check_bench(facts, bench, fail):
    plots = [p for p in facts["plots"] if p["kind"] == "bench"]
    if len(plots) != 1:
        fail("bench", "%d rate plots for a bench.json" % len(plots))
        return
    check_axes(dict(plots[0], y={"shown": True, "line": plots[0]["y"]["line"], "ticks": ["", ""]}), fail)
    want = sorted(r["arch"] for r in bench["results"] for _ in ("ceiling", "stress"))
    got = sorted(b["cell"] for b in plots[0]["bars"])
    if got != want:
        fail("bench", "bars for %s, want a ceiling and a stress bar per arch: %s" % (got, want))
    for r in bench["results"]:  # each arch's bars in order: ceiling, stress
        bars = [b for b in plots[0]["bars"] if b["cell"] == r["arch"]]
        for b, key in zip(bars, ("ceiling_per_s", "stress_per_s")):
            known = r[key] == r[key] and r[key] > 0  # NaN: unknown, no bar to see
            if known != b["shown"]:
                fail("bench", "%s: the %s bar is %s" % (r["arch"], key, "missing" if known else "drawn for an unknown rate"))

def check_page(facts, problems, truth, page, fail):
    for p in problems:
        fail("console", p)
    if facts["scripts"]:
        fail("self-contained", "%d <script> elements" % facts["scripts"])
    for f in facts["foreign"]:
        fail("self-contained", "an element loads something: %s" % f)
    check_matrix(facts, truth, fail)
    check_plots(facts, truth, fail)
    here = os.path.dirname(os.path.abspath(page))
    for href in facts["links"]:
        if href.startswith("#"):
            continue
        if re.match(r"^[a-z]+:", href) or href.startswith("//"):
            fail("links", "a link leaves the report: %s" % href)
        elif not os.path.exists(os.path.join(here, re.sub("%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), href))):
            fail("links", "a link to a missing file: %s" % href)
    commit = (truth.get("config") or {}).get("commit")
    if commit and commit not in facts["config"]:
        fail("config", "the commit %s is not shown" % commit)

def run_checks(exe, page, truth, bench=None, screenshot=None):
    failures = []
    fail = lambda what, why: failures.append((what, why))
    facts, problems = load(exe, page, screenshot)
    check_page(facts, problems, truth, page, fail)
    if bench:
        check_bench(facts, bench, fail)
    elif any(p["kind"] == "bench" for p in facts["plots"]):
        fail("bench", "rate bars without a bench.json")
    return facts, failures

# Each breakage, and the check that must catch it.
BREAKAGES = [
    ("a matrix cell removed", "matrix", lambda h: re.sub(r'<td class="cell [^>]*>.*?</td>', "", h, count=1, flags=re.S)),
    ("a curve removed", "plots", lambda h: re.sub(r'<path class="curve"[^>]*/>', "", h, count=1)),
    ("the matrix hidden by CSS", "matrix", lambda h: h.replace("</style>", "table.matrix{display:none}</style>", 1)),
    ("an image from the network", "console", lambda h: h.replace("<body>", '<body><img src="http://192.0.2.1/x.png" alt="">', 1)),
    ("an inline script", "self-contained", lambda h: h.replace("<body>", '<body><script>console.error("injected")</script>', 1)),
]

def self_test(exe, page, truth, bench):
    html = open(page).read()
    ok = True
    for name, check, breaks in BREAKAGES:
        broken = breaks(html)
        if broken == html:
            print("browser_check: self-test: could not break the page by %s" % name)
            ok = False
            continue
        copy = os.path.join(os.path.dirname(os.path.abspath(page)), ".broken-" + os.path.basename(page))
        with open(copy, "w") as f:
            f.write(broken)
        try:
            _, failures = run_checks(exe, copy, truth, bench)
        finally:
            os.unlink(copy)
        caught = [why for what, why in failures if what == check]
        print("browser_check: self-test: %s: %s" % (name, "caught by the %s check: %s" % (check, caught[0])
              if caught else "NOT CAUGHT by the %s check (failures: %s)" % (check, failures)))
        ok = ok and bool(caught)
    return ok

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--report", required=True)
    ap.add_argument("--truth", required=True, help="the summary.json the page was made from")
    ap.add_argument("--bench", help="the bench.json given to proftorture report --bench")
    ap.add_argument("--screenshot")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    exe = find_chromium()
    if not exe:
        print("browser_check: SKIPPED: Chromium is not installed (ci/install-deps installs it); "
              "the report was NOT checked in a browser")
        return SKIP
    truth = json.load(open(a.truth))
    # ci/bench writes NaN for an unknown rate; Python reads it back as nan
    bench = json.load(open(a.bench)) if a.bench else None
    try:
        facts, failures = run_checks(exe, a.report, truth, bench, a.screenshot)
        ok_self = self_test(exe, a.report, truth, bench) if a.self_test else True
    except RuntimeError as e:
        print("browser_check: cannot drive %s: %s" % (exe, e))
        return 2
    for what, why in failures:
        print("browser_check: FAIL [%s] %s" % (what, why))
    ncurves = sum(len(p["curves"]) for p in facts["plots"])
    print("browser_check: %s: %d matrix cells, %d plots, %d curves, %d links; %s%s" % (
        a.report, len(facts["cells"]), len(facts["plots"]), ncurves, len(facts["links"]),
        "screenshot " + a.screenshot if a.screenshot else "no screenshot",
        "" if not failures else "; %d checks failed" % len(failures)))
    return 0 if not failures and ok_self else 1

if __name__ == "__main__":
    sys.exit(main())
