// Form checks of the kiosk UI (issue 13, finding 6). The forms are
// novalidate: the browser's own bubbles ("Please fill out this field")
// are in the browser's language and vanish; ours are in the page's
// language, stay next to the field, mark it aria-invalid and are tied to
// it with aria-describedby. A server rejection names the field and a
// stable rule code (credential.RuleCodes), never text to show: the page
// translates the code.
"use strict";
window.KioskForms = (function () {
  const T = window.I18N;
  // Lengths of the credential fields (credential package); all but the
  // clave de elector are digits only.
  const LENGTHS = { claveElector: 18, numeroEmision: 2, ocr: 13, cic: 9, identificadorCiudadano: 9 };

  function errFor(input) { return document.getElementById(input.id + "-err"); }

  // mark shows text as input's error (or clears it when text is empty).
  function mark(input, text) {
    const p = errFor(input);
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (p) { p.textContent = text || ""; p.hidden = !text; }
  }

  function clear(root) {
    for (const i of root.querySelectorAll("[aria-invalid]")) mark(i, "");
    for (const p of root.querySelectorAll(".field-error")) { p.textContent = ""; p.hidden = true; }
  }

  // required marks each empty input with its message; it returns the
  // first one marked, or null.
  function required(pairs) {
    let first = null;
    for (const pair of pairs) {
      const empty = pair[0].value.trim() === "";
      mark(pair[0], empty ? T.t(pair[1]) : "");
      if (empty && !first) first = pair[0];
    }
    return first;
  }

  // fieldProblem returns the message for one credential value, or "".
  function fieldProblem(name, v) {
    const n = LENGTHS[name];
    if (v === "") return T.t("rule.required");
    if (name === "claveElector") {
      if (!/^[A-Z0-9]*$/.test(v)) return T.t("rule.clave_chars");
      if (v.length !== n) return T.t("rule.length", { n: n }) + " " + T.t("rule.got", { got: v.length });
      return "";
    }
    if (!/^[0-9]*$/.test(v)) return T.t("rule.digits", { n: n });
    if (v.length !== n) return T.t("rule.digits", { n: n }) + " " + T.t("rule.got", { got: v.length });
    return "";
  }

  // credential checks the model choice and every field; it focuses and
  // returns false at the first problem.
  function credential(form) {
    clear(form);
    const radios = form.querySelectorAll('input[name="model"]');
    if (!form.querySelector('input[name="model"]:checked')) {
      for (const r of radios) r.setAttribute("aria-invalid", "true");
      const p = document.getElementById("model-err");
      p.textContent = T.t("rule.model"); p.hidden = false;
      if (radios.length) radios[0].focus();
      return false;
    }
    let first = null;
    for (const i of form.querySelectorAll("#fields input")) {
      const msg = fieldProblem(i.name, i.value.trim().toUpperCase());
      mark(i, msg);
      if (msg && !first) first = i;
    }
    if (first) first.focus();
    return !first;
  }

  // serverField marks the field a server rejection names; false when it
  // names none on this screen (the caller then shows a general message).
  function serverField(fe) {
    if (fe.field === "(set)" || fe.code === "fields" || fe.code === "unknown_field") {
      const p = document.getElementById("model-err");
      p.textContent = T.t("rule." + (fe.code || "fields")) || T.t("rule.invalid"); p.hidden = false;
      const r = document.querySelector('input[name="model"]:checked');
      if (r) { r.setAttribute("aria-invalid", "true"); r.focus(); }
      return true;
    }
    const i = document.getElementById("f-" + fe.field);
    if (!i) return false;
    mark(i, T.t("rule." + fe.code, { n: LENGTHS[fe.field] }) || T.t("rule.invalid"));
    i.focus();
    return true;
  }

  return { mark: mark, clear: clear, required: required, credential: credential, serverField: serverField, LENGTHS: LENGTHS };
})();
