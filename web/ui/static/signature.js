// Signature pad: pointer strokes as [x, y, t, pressure] integer points in
// canvas pixels, milliseconds since the first point, pressure 0-65535
// (32768 when the device reports none). Points stay in memory and are
// cleared after sending.
"use strict";
window.SignaturePad = function (canvas, onChange) {
  const ctx = canvas.getContext("2d");
  let strokes = [];
  let current = null;
  let t0 = null;

  function fit() {
    const r = canvas.getBoundingClientRect();
    if (r.width > 0 && (canvas.width !== Math.round(r.width) || canvas.height !== Math.round(r.height))) {
      canvas.width = Math.round(r.width);
      canvas.height = Math.round(r.height);
      redraw();
    }
  }
  function point(e) {
    const r = canvas.getBoundingClientRect();
    const sx = canvas.width / r.width, sy = canvas.height / r.height;
    const x = Math.min(canvas.width - 1, Math.max(0, Math.round((e.clientX - r.left) * sx)));
    const y = Math.min(canvas.height - 1, Math.max(0, Math.round((e.clientY - r.top) * sy)));
    if (t0 === null) t0 = e.timeStamp;
    const t = Math.max(0, Math.round(e.timeStamp - t0));
    const p = e.pressure > 0 ? Math.min(65535, Math.round(e.pressure * 65535)) : 32768;
    return [x, y, t, p];
  }
  function line(a, b) {
    ctx.lineWidth = 3 + (b[3] / 65535) * 3;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }
  function redraw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (const s of strokes) for (let i = 1; i < s.length; i++) line(s[i - 1], s[i]);
  }
  canvas.addEventListener("pointerdown", function (e) {
    fit();
    canvas.setPointerCapture(e.pointerId);
    current = [point(e)];
    strokes.push(current);
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!current) return;
    const p = point(e);
    const last = current[current.length - 1];
    if (p[3] < 0 || p[2] < last[2]) p[2] = last[2];
    current.push(p);
    line(last, p);
    e.preventDefault();
  });
  function end() {
    if (!current) return;
    current = null;
    onChange(strokes.length > 0);
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  return {
    fit: fit,
    empty: function () { return strokes.length === 0; },
    clear: function () {
      for (const s of strokes) for (const p of s) p.fill(0);
      strokes = []; current = null; t0 = null;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      onChange(false);
    },
    body: function () {
      return JSON.stringify({ width: canvas.width, height: canvas.height, strokes: strokes });
    }
  };
};
