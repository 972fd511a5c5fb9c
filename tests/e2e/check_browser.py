#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The flame graph SVG and the Perfetto JSON in headless Chromium.

  check_browser.py SVG JSON OUTDIR NAME...

- The SVG is opened as a page: its script runs (the DOM Chromium dumps
  after it holds every NAME as a frame's text), it is rendered to
  OUTDIR/flame.png (a PNG with more than a handful of colours, not a
  blank page), and the console shows no error.
- The JSON is read by a small page script as ui.perfetto.dev and
  chrome://tracing read it: JSON.parse, then every event has a name, a
  phase, a numeric ts (and dur for complete events), pid and tid; every
  NAME is the name of some slice.  The page reports what it found.
Prints one PASS:/FAIL: line per check, named e2e/browser-...
"""
import json
import os
import struct
import subprocess
import sys
import zlib

CHROMIUM = ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--disable-dev-shm-usage",
            "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=5000"]


def browse(args, url):
    """Runs Chromium on url; (stdout, stderr)."""
    p = subprocess.run(CHROMIUM + args + [url], capture_output=True,
                       text=True, timeout=120)
    return p.stdout, p.stderr


def console_errors(log):
    """Console errors and uncaught exceptions in Chromium's log."""
    return [l for l in log.splitlines()
            if "Uncaught" in l or ("CONSOLE" in l and "rror" in l)]


def png_colours(path):
    """Distinct RGB(A) pixel values of an 8-bit PNG (filters undone)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0
    pos, idat, w, h, ch = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            ch = {2: 3, 6: 4}.get(ctype, 0)
            if depth != 8 or not ch:
                return 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * ch
    prev = bytearray(stride)
    seen = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        for x in range(0, stride, ch * 7):	# every 7th pixel
            seen.add(bytes(line[x:x + ch]))
        prev = line
    return len(seen)


PAGE = """<!DOCTYPE html><html><body><script>
const text = %s, want = %s;
let out;
try {
  const t = JSON.parse(text);
  const ev = Array.isArray(t) ? t : t.traceEvents;
  if (!Array.isArray(ev)) throw new Error("no traceEvents array");
  const names = new Set();
  let slices = 0;
  for (const e of ev) {
    if (typeof e.ph !== "string") throw new Error("event without ph");
    if (e.ph === "M") continue;
    if (typeof e.name !== "string" || typeof e.ts !== "number" ||
        e.pid === undefined || e.tid === undefined)
      throw new Error("bad event " + JSON.stringify(e).slice(0, 80));
    if (e.ph === "X") {
      if (typeof e.dur !== "number" || e.dur < 0)
        throw new Error("complete event without dur: " + e.name);
      slices++;
      names.add(e.name);
    }
  }
  const missing = want.filter(n => !names.has(n));
  if (missing.length) throw new Error("no slice named " + missing);
  out = "HWT-OK " + ev.length + " events, " + slices + " slices";
} catch (e) {
  out = "HWT-FAIL " + e.message;
}
document.body.textContent = out;
</script></body></html>
"""


def result(ok, name, why):
    print("%s: e2e/browser-%s (%s)" % ("PASS" if ok else "FAIL", name, why))


def main():
    svg, js, outdir, names = (sys.argv[1], sys.argv[2], sys.argv[3],
                              sys.argv[4:])
    os.makedirs(outdir, exist_ok=True)
    svg_url = "file://" + os.path.abspath(svg)
    dom, log = browse(["--dump-dom"], svg_url)
    errs = console_errors(log)
    missing = [n for n in names if ">%s<" % n not in dom and
               ">%s " % n not in dom]
    result(dom and not missing and not errs, "svg-dom",
           "%d bytes of DOM, frames %s%s%s" %
           (len(dom), "all there" if not missing else "missing %s" % missing,
            "; console: " if errs else "", "; ".join(errs[:2])))
    png = os.path.join(outdir, "flame.png")
    if os.path.exists(png):
        os.unlink(png)
    _, log = browse(["--screenshot=" + png, "--window-size=1200,900"],
                    svg_url)
    colours = png_colours(png) if os.path.exists(png) else 0
    errs = console_errors(log)
    result(colours > 8 and not errs, "svg-png",
           "%s: %d colours sampled%s" % (png, colours,
                                         "; console: " + errs[0] if errs
                                         else ""))
    page = os.path.join(outdir, "timeline.html")
    with open(page, "w") as f:
        f.write(PAGE % (json.dumps(open(js).read()), json.dumps(names)))
    dom, log = browse(["--dump-dom"], "file://" + os.path.abspath(page))
    errs = console_errors(log)
    ok = "HWT-OK" in dom and not errs
    start = dom.find("HWT-")
    result(ok, "perfetto-json",
           (dom[start:start + 120].split("<")[0] if start >= 0 else
            "the page said nothing").strip() + ("; console: " + errs[0] if errs
                                        else ""))


if __name__ == "__main__":
    main()
