// Ventanilla kiosk UI. The daemon is the source of truth: the page renders
// the state it gets from GET /api/v1/state and the event stream. Both
// carry the session (and INE's answer) only to the logged-in clerk: the
// page sends the operator's bearer token, so the stream is read with
// fetch (EventSource cannot send headers). Without a login the page sees
// the coarse phase only and shows the login form; after a reload the
// clerk logs in again and the session resumes. Nothing is stored in the
// browser (the preview secret is a one-time HttpOnly cookie).
"use strict";
(function () {
  const T = window.I18N;
  const $ = function (id) { return document.getElementById(id); };
  let token = document.querySelector('meta[name="ventanilla-token"]').content;
  const KINDS = ["session.claimed", "notice.accepted", "consent.committed", "consent.failed",
    "credential.accepted", "capture.started", "capture.prompt", "capture.done", "capture.rejected",
    "capture.failed", "submit.started", "answer.ready", "session.wiped", "session.ended", "operator.changed", "kiosk.readiness", "answer.correcting"];
  const SECTIONS = { idle: "s-welcome", notice: "s-notice", signature: "s-signature", credential: "s-credential",
    biometrics: "s-biometrics", face: "s-face", finger: "s-finger", submitting: "s-submitting", answer: "s-answer" };

  let opToken = null;
  let model = { state: "idle", modalities: [], notices: [] };
  let shown = null;
  let notice = null;
  let pad = null;
  let fingerPos = 2;
  const prompts = { face: null, finger: null };
  const notes = { face: "", finger: "" };
  let ticker = null;
  let retryOf = null; // the capture to return to after a failure

  function headers(body) {
    const h = { "X-Ventanilla-Token": token };
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (opToken) h["Authorization"] = "Bearer " + opToken;
    return h;
  }

  // api calls the kiosk API; cookies only for the preview secret.
  async function api(method, path, body, cookies) {
    const r = await fetch(path, { method: method, headers: headers(body), cache: "no-store",
      credentials: cookies ? "same-origin" : "omit",
      body: body === undefined ? undefined : (typeof body === "string" ? body : JSON.stringify(body)) });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const err = (data && data.error) || { code: "generic" };
      err.status = r.status;
      throw err;
    }
    return data;
  }
  function sp(path) { return "/api/v1/sessions/" + encodeURIComponent(model.session) + path; }

  function alertMsg(text) {
    const a = $("alert");
    a.textContent = text || "";
    a.hidden = !text;
  }
  let lockTimer = null;
  function fail(err) {
    if (err && err.code === "operator_required" && opToken) { opToken = null; connect(); }
    if (err && err.code === "bad_token") { renewToken().then(connect); }
    if (err && err.code === "not_ready") {
      model.not_ready = err.reasons || true; render();
      return alertMsg(T.t("err.not_ready", { why: (err.reasons || []).join(", ") }));
    }
    if (err && (err.code === "locked" || err.code === "too_fast") && err.retry_after_s) return lockedFor(err);
    let text = T.t("err." + (err && err.code)) || T.t("err.generic");
    if (err && err.code === "invalid_credential" && err.fields && err.fields.length) {
      const f = err.fields[0];
      window.KioskForms.serverField(f);
      text = T.t("err.invalid_credential", { field: T.t("field." + f.field) || T.t("cred.model") });
    }
    if (err && err.code === "invalid_efirma") text = efirmaRefused(err) || text;
    if (err && err.code === "invalid_acceptance") {
      window.KioskForms.mark($("typed-phrase"), T.t("typed.wrong", { phrase: T.t("typed.phrase") }));
      $("typed-phrase").focus();
    }
    alertMsg(text);
  }
  // lockedFor shows how long logins stay locked, counting down.
  function lockedFor(err) {
    clearInterval(lockTimer);
    const until = Date.now() + err.retry_after_s * 1000;
    const tick = function () {
      const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      if (s === 0) { clearInterval(lockTimer); lockTimer = null; alertMsg(""); return; }
      const m = Math.floor(s / 60);
      alertMsg(T.t("err." + err.code + ".left", { t: m > 0 ? T.t("time.min", { m: m, s: String(s % 60).padStart(2, "0") }) : T.t("time.s", { s: s }) }));
    };
    tick();
    lockTimer = setInterval(tick, 1000);
  }
  function act(fn) {
    return function (e) {
      if (e) e.preventDefault();
      alertMsg("");
      Promise.resolve().then(fn).catch(fail);
    };
  }

  async function refresh() {
    model = await api("GET", "/api/v1/state");
    render();
  }

  // connect (re)opens the event stream with the current login; an older
  // stream is aborted. It reconnects by itself when the stream ends.
  let stream = null;
  function connect() {
    if (stream) stream.abort();
    const ctl = new AbortController();
    stream = ctl;
    readStream(ctl).catch(function () {}).finally(function () {
      if (stream !== ctl) return;
      if (!ctl.signal.aborted) alertMsg(T.t("err.connection"));
      setTimeout(function () { if (stream === ctl) connect(); }, 1000);
    });
  }

  // renewToken re-reads the per-boot token after the daemon restarted
  // (its old token answers bad_token); the clerk's login did not survive
  // the restart either, so the page returns to the login form.
  async function renewToken() {
    const r = await fetch("/", { cache: "no-store", credentials: "omit" });
    const m = /name="ventanilla-token" content="([A-Za-z0-9_-]+)"/.exec(await r.text());
    if (m && m[1] !== token) { token = m[1]; opToken = null; model = { state: "idle", modalities: [], notices: [] }; }
  }

  async function readStream(ctl) {
    let r = await fetch("/api/v1/events", { headers: headers(), cache: "no-store", credentials: "omit", signal: ctl.signal });
    if (r.status === 403) { await renewToken(); throw new Error("token renewed"); }
    if (r.status === 401 && opToken) { opToken = null; throw new Error("login ended"); }
    if (!r.ok || !r.body) throw new Error("stream " + r.status);
    const rd = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const chunk = await rd.read();
      if (chunk.done) throw new Error("stream ended");
      buf += chunk.value;
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        dispatch(buf.slice(0, end));
        buf = buf.slice(end + 2);
      }
    }
  }

  // dispatch handles one Server-Sent Event block.
  function dispatch(block) {
    let name = "message", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (!data) return;
    const v = JSON.parse(data);
    if (name === "snapshot") {
      if (opToken && v.modalities === undefined) opToken = null; // the login ended: the public view
      model = v; if (!lockTimer) alertMsg(""); render();
    }
    else if (KINDS.indexOf(name) >= 0) onEvent(v);
  }

  function onEvent(ev) {
    const m = ev.modality;
    switch (ev.kind) {
      case "capture.prompt":
        prompts[m] = ev.prompt;
        renderPrompt(m);
        return;
      case "capture.started":
        prompts[m] = null; notes[m] = "";
        break;
      case "capture.done":
        notes[m] = "";
        break;
      case "capture.rejected":
      case "capture.failed":
        notes[m] = T.t("cap." + ev.code) || T.t("cap.error");
        retryOf = m; // back to that capture
        break;
      case "answer.correcting":
        resetCitizenInput();
        break;
      case "consent.failed":
        alertMsg(T.t("err.consent_not_recorded"));
        break;
      case "answer.ready":
        model.answer = ev.answer;
        break;
      case "session.ended":
        resetCitizenInput();
        if (ev.reason !== "finished") alertMsg(T.t("ended." + ev.reason));
        break;
    }
    if (ev.kind !== "operator.changed") {
      model.state = ev.state;
      model.deadline = ev.deadline;
      render();
    }
    scheduleRefresh();
  }

  // scheduleRefresh coalesces the state fetches that events trigger: at
  // most one in flight, and one more after it if events came meanwhile.
  let refreshing = false, dirty = false;
  function scheduleRefresh() {
    if (refreshing) { dirty = true; return; }
    refreshing = true;
    refresh().catch(function () {}).finally(function () {
      refreshing = false;
      if (dirty) { dirty = false; scheduleRefresh(); }
    });
  }

  // ---- rendering ----
  function render() {
    const id = opToken ? (SECTIONS[model.state] || "s-welcome") : "s-welcome";
    for (const s of Object.values(SECTIONS)) $(s).hidden = s !== id;
    // The header names the clerk only while this page holds their login,
    // so it always agrees with the screen (after a reload: the login form).
    $("who").textContent = opToken && model.operator ? T.t("login.as", { op: model.operator }) : "";
    const entering = shown !== id;
    const prev = shown;
    shown = id;
    const fn = renderers[id];
    if (fn) fn(entering);
    if (id !== "s-face") stopPreview();
    if (entering) enterScreen(id, prev);
    if (id === "s-biometrics" && retryOf) { // a failed or cancelled capture: its button again
      const go = $(retryOf + "-go");
      retryOf = null;
      if (!go.disabled) go.focus({ preventScroll: true });
    }
  }

  // enterScreen starts a new screen at the top (issue 13, finding 5) and
  // moves the focus to its heading, or, back from a capture, to the
  // button that sends the verification.
  function enterScreen(id, prev) {
    $("main").scrollTop = 0;
    window.scrollTo(0, 0);
    let f = $(id).querySelector("h1");
    f.tabIndex = -1;
    if (id === "s-biometrics" && (prev === "s-face" || prev === "s-finger") && !$("submit").disabled) f = $("submit");
    f.focus({ preventScroll: true });
  }

  const renderers = {
    "s-welcome": function () {
      const logged = !!(model.operator && opToken);
      $("login").hidden = logged;
      $("ready").hidden = !logged;
      const busy = !opToken && model.state && model.state !== "idle";
      $("busy").hidden = !busy;
      const nr = model.not_ready;
      $("not-ready").hidden = !(nr && (nr === true || nr.length));
      $("start").disabled = !$("not-ready").hidden;
    },
    "s-notice": function (entering) { if (entering || !notice || notice.lang !== T.lang()) loadNotice(); },
    "s-signature": function () { pad.fit(); },
    "s-credential": function (entering) { if (entering) { buildModels(); $("h-credential").focus(); } },
    "s-biometrics": renderBiometrics,
    "s-face": function (entering) {
      renderPrompt("face");
      if (entering && model.preview) startPreview();
    },
    "s-finger": function () {
      $("finger-which").textContent = T.t("finger.which", { f: T.t("finger." + fingerPos) });
      renderPrompt("finger");
    },
    "s-answer": renderAnswer
  };

  function renderPrompt(m) {
    const p = prompts[m];
    const el = $(m + "-prompt");
    el.textContent = p ? T.prompt(p) : T.t(m + ".wait");
    if (m === "face") $("face-step").textContent = p && p.steps ? T.t("face.step", { s: p.step, n: p.steps }) : "";
  }

  function renderBiometrics() {
    const mods = model.modalities || [];
    const off = model.unavailable || {};
    $("face-box").hidden = mods.indexOf("face") < 0 && !off.face;
    $("finger-box").hidden = mods.indexOf("finger") < 0 && !off.finger;
    $("face-off").textContent = off.face ? T.t("bio.off.face", { why: off.face }) : "";
    $("finger-off").textContent = off.finger ? T.t("bio.off.finger", { why: off.finger }) : "";
    $("finger-go").disabled = !!off.finger;
    const left = model.face_attempts_left;
    let fs = model.face_captured ? T.t("bio.faceDone") : "";
    if (!model.face_captured && left === 0) fs = T.t("bio.faceRefused");
    else if (notes.face) fs = notes.face + " " + T.t("bio.faceLeft", { n: left });
    $("face-status").textContent = fs;
    $("face-go").disabled = left === 0 || !!off.face;
    let gs = model.finger_captured ? T.t("bio.fingerDone", { f: T.t("finger." + model.finger_captured) }) : "";
    if (notes.finger) gs = notes.finger;
    if (notes.finger && model.finger_attempts_left !== undefined) gs += " " + T.t("bio.fingerLeft", { n: model.finger_attempts_left });
    if (!model.finger_captured && model.finger_attempts_left === 0) gs = T.t("bio.fingerRefused");
    $("finger-status").textContent = gs;
    if (model.finger_attempts_left === 0) $("finger-go").disabled = true;
    $("submit").disabled = !(model.face_captured || model.finger_captured);
    buildFingers();
    renderChips();
  }

  // renderChips says what this session already holds, in words (not
  // colour alone): consent, credential data, face, finger.
  function renderChips() {
    const chip = function (id, done, key) {
      const li = $(id);
      li.className = done ? "done" : "";
      li.textContent = (done ? "✓ " : "○ ") + T.t("chip." + key + (done ? ".done" : ".todo"));
    };
    chip("chip-consent", !!model.consent, "consent");
    chip("chip-cred", !!model.credential_set, "cred");
    chip("chip-face", !!model.face_captured, "face");
    chip("chip-finger", !!model.finger_captured, "finger");
  }

  function renderAnswer() {
    const a = model.answer;
    if (!a) return;
    const sec = $("s-answer");
    sec.className = a.outcome;
    $("answer-title").textContent = T.t("out." + a.outcome + ".t");
    let text = T.t("out." + a.outcome + ".x");
    if (a.outcome === "retry" && a.reason === "kiosk-fault") text = T.t("out.retry.kiosk-fault");
    if (a.outcome === "denied") text = a.status === "valid" || a.status === "valid-identification-only" ? T.t("deny.biometric") : T.t("deny." + a.status);
    $("answer-text").textContent = text;
    const sims = [];
    if (a.face_similarity >= 0) sims.push(T.t("answer.sim", { what: T.t("sim.face"), n: a.face_similarity }));
    if (a.finger_similarity >= 0) sims.push(T.t("answer.sim", { what: T.t("sim.finger"), n: a.finger_similarity }));
    $("answer-sim").textContent = a.outcome === "retry" ? "" : sims.join(" · ");
    $("answer-clerk").textContent = T.t("answer.clerk", { code: a.reason || a.status || a.outcome });
    const taken = a.taken || [];
    $("answer-wiped").textContent = T.t("answer.wiped." + (taken.length === 2 ? "both" : taken.length ? taken[0] : "none"));
    $("correct").hidden = !a.correctable;
    $("answer-receipt").hidden = !model.receipt;
    $("receipt-no").textContent = model.receipt || "";
    countdown();
  }

  function countdown() {
    clearInterval(ticker);
    const tick = function () {
      if (model.state !== "answer" || !model.deadline) { clearInterval(ticker); return; }
      const s = Math.max(0, Math.round((Date.parse(model.deadline) - Date.now()) / 1000));
      $("answer-reset").textContent = T.t("answer.reset", { s: s });
    };
    tick();
    ticker = setInterval(tick, 1000);
  }

  // ---- notice ----
  async function loadNotice() {
    const lang = T.lang();
    notice = await api("GET", "/api/v1/notice?lang=" + encodeURIComponent(lang));
    const box = $("notice-text");
    box.textContent = notice.text;
    box.lang = notice.lang;
    box.scrollTop = 0;
    $("notice-version").textContent = T.t("notice.version", { v: notice.version });
    checkScrolled();
  }
  function checkScrolled() {
    const box = $("notice-text");
    const done = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    if (done) $("notice-accept").disabled = false;
    $("notice-hint").hidden = done;
  }

  // ---- credential ----
  const MODEL_GROUPS = [["A", "B", "C"], ["D"], ["E", "F", "G", "H"]];
  function buildModels() {
    const box = $("models");
    if (box.childElementCount) return;
    for (const g of MODEL_GROUPS) for (const m of g) {
      const l = document.createElement("label");
      const r = document.createElement("input");
      r.type = "radio"; r.name = "model"; r.value = m; r.id = "model-" + m;
      r.addEventListener("change", act(function () { return loadFields(m); }));
      l.appendChild(r);
      l.appendChild(document.createTextNode(m));
      box.appendChild(l);
    }
  }
  async function loadFields(m) {
    const d = await api("GET", "/api/v1/models/" + m);
    const box = $("fields");
    box.textContent = "";
    for (const f of d.fields) {
      const l = document.createElement("label");
      l.htmlFor = "f-" + f;
      l.textContent = T.t("field." + f) || f;
      const i = document.createElement("input");
      i.id = "f-" + f; i.name = f; i.autocomplete = "off"; i.spellcheck = false;
      i.maxLength = window.KioskForms.LENGTHS[f] || 18;
      if (f !== "claveElector") i.inputMode = "numeric";
      i.setAttribute("aria-describedby", "f-" + f + "-err");
      i.addEventListener("focus", function () { highlight(f); });
      const e = document.createElement("p");
      e.id = "f-" + f + "-err"; e.className = "field-error"; e.hidden = true;
      box.appendChild(l);
      box.appendChild(i);
      box.appendChild(e);
    }
    highlight(null, d.fields);
  }
  function highlight(one, all) {
    const want = all || [one];
    for (const g of document.querySelectorAll("#card .field")) {
      const f = g.id.slice(5);
      g.classList.toggle("on", want.indexOf(f) >= 0);
      g.classList.toggle("off", want.indexOf(f) < 0);
    }
  }
  function credentialBody() {
    const sel = document.querySelector('input[name="model"]:checked');
    const fields = {};
    for (const i of $("fields").querySelectorAll("input")) fields[i.name] = i.value.trim().toUpperCase();
    window.KioskForms.clear($("cred"));
    return { model: sel ? sel.value : "", fields: fields };
  }
  function resetCitizenInput() {
    if (pad) pad.clear();
    $("fields").textContent = "";
    for (const r of document.querySelectorAll('input[name="model"]')) r.checked = false;
    window.KioskForms.clear($("cred"));
    window.KioskForms.clear($("typed"));
    $("typed-phrase").value = "";
    clearEFirma();
    $("notice-accept").disabled = true;
    notice = null;
    prompts.face = prompts.finger = null;
    notes.face = notes.finger = "";
  }

  // ---- e.firma (docs/kiosk.md, "e.firma at the counter") ----
  // b64 is base64 of bytes (btoa over chunks of a binary string).
  function b64(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function clearEFirma() {
    $("efirma-cer").value = "";
    $("efirma-key").value = "";
    $("efirma-pw").value = "";
    window.KioskForms.clear($("efirma"));
  }
  // sendEFirma reads the .cer and .key and sends them with the password;
  // the daemon signs the statement (WebCrypto cannot open SAT's .key).
  async function sendEFirma() {
    const cer = $("efirma-cer"), key = $("efirma-key"), pw = $("efirma-pw");
    const missing = window.KioskForms.required([[cer, "efirma.need_cer"], [key, "efirma.need_key"], [pw, "efirma.need_password"]]);
    if (missing) { missing.focus(); return; }
    if (cer.files[0].size + key.files[0].size > 256 * 1024) { window.KioskForms.mark(key, T.t("efirma.too_big")); key.focus(); return; }
    const body = { cer: b64(new Uint8Array(await cer.files[0].arrayBuffer())), key: b64(new Uint8Array(await key.files[0].arrayBuffer())),
      password: b64(new TextEncoder().encode(pw.value)) };
    pw.value = "";
    await api("POST", sp("/consent/efirma"), body);
    clearEFirma();
  }
  // efirmaRefused marks the input the refusal is about and returns its text.
  function efirmaRefused(err) {
    const reason = (err.reasons || [])[0] || "";
    const input = reason === "wrong_password" ? $("efirma-pw") : reason === "not_certificate_key" ? $("efirma-key") : $("efirma-cer");
    const text = T.t("efirma.reason." + reason);
    window.KioskForms.mark(input, text || T.t("err.invalid_efirma"));
    input.focus();
    return text;
  }

  // ---- fingers ----
  // buildFingers fills the finger choice: one select, grouped by hand
  // (compact at every screen size, and native on keyboard and touch).
  function buildFingers() {
    const sel = $("finger-sel");
    if (sel.childElementCount) return;
    for (const hand of [[1, 5, "hand.right"], [6, 10, "hand.left"]]) {
      const g = document.createElement("optgroup");
      g.dataset.i18nLabel = hand[2];
      g.label = T.t(hand[2]);
      for (let n = hand[0]; n <= hand[1]; n++) {
        const o = document.createElement("option");
        o.value = String(n); o.id = "finger-" + n; o.dataset.finger = String(n);
        o.textContent = T.t("finger." + n);
        o.selected = n === fingerPos;
        g.appendChild(o);
      }
      sel.appendChild(g);
    }
  }

  // ---- preview ----
  // startPreview asks for the one-time preview secret (an HttpOnly
  // cookie for this session's preview path), then lets the <img> load.
  function startPreview() {
    const img = $("preview");
    const path = sp("/preview");
    api("POST", path, undefined, true).then(function () {
      if (shown !== "s-face") return;
      img.src = path + "?t=" + encodeURIComponent(token);
      img.hidden = false;
    }).catch(function () {});
  }
  function stopPreview() {
    const img = $("preview");
    if (img.getAttribute("src")) { img.removeAttribute("src"); img.hidden = true; }
  }

  // ---- language ----
  function applyLang() {
    document.documentElement.lang = T.lang();
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = T.t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", T.t(el.dataset.i18nAria));
    for (const el of document.querySelectorAll("[data-i18n-alt]")) el.alt = T.t(el.dataset.i18nAlt);
    for (const el of document.querySelectorAll("[data-i18n-valuetext]")) el.setAttribute("aria-valuetext", T.t(el.dataset.i18nValuetext));
    for (const el of document.querySelectorAll("[data-finger]")) el.textContent = T.t("finger." + el.dataset.finger);
    $("lang").textContent = T.t("lang.other");
    $("lang").lang = T.lang() === "es-MX" ? "en" : "es-MX";
    document.title = T.t("brand");
    for (const f of $("fields").querySelectorAll("label")) f.textContent = T.t("field." + f.htmlFor.slice(2));
    for (const g of document.querySelectorAll("[data-i18n-label]")) g.label = T.t(g.dataset.i18nLabel);
    $("typed-label").textContent = T.t("typed.label", { phrase: T.t("typed.phrase") });
  }

  // ---- wiring ----
  function wire() {
    pad = window.SignaturePad($("sig"), function (has) { $("sig-send").disabled = !has; });
    $("lang").addEventListener("click", function () {
      T.set(T.lang() === "es-MX" ? "en" : "es-MX");
      applyLang();
      render();
    });
    // The logo may have loaded before this script ran (a cached or fast
    // response): its load event is then gone, so look at it as well.
    const logo = $("brand-logo");
    logo.addEventListener("load", function () { logo.hidden = false; });
    if (logo.complete && logo.naturalWidth > 0) logo.hidden = false;
    $("finger-sel").addEventListener("change", function () { fingerPos = Number($("finger-sel").value); });
    $("login").addEventListener("submit", act(async function () {
      const missing = window.KioskForms.required([[$("op-id"), "login.need_id"], [$("op-pin"), "login.need_pin"]]);
      if (missing) { missing.focus(); return; }
      const pin = $("op-pin");
      const d = await api("POST", "/api/v1/operator/login", { operator: $("op-id").value.trim(), pin: pin.value });
      pin.value = "";
      opToken = d.token;
      clearInterval(lockTimer);
      lockTimer = null;
      connect();
      await refresh();
      if (!$("start").hidden) $("start").focus();
    }));
    $("logout").addEventListener("click", act(async function () {
      await api("POST", "/api/v1/operator/logout", {});
      opToken = null;
      connect();
      await refresh();
    }));
    $("start").addEventListener("click", act(function () { return api("POST", "/api/v1/sessions", {}); }));
    $("notice-text").addEventListener("scroll", checkScrolled);
    $("notice-accept").addEventListener("click", act(function () {
      return api("POST", sp("/notice"), { id: notice.id, version: notice.version, lang: notice.lang, sha256: notice.sha256 });
    }));
    $("sig-clear").addEventListener("click", function () { pad.clear(); });
    $("sig-send").addEventListener("click", act(async function () {
      const body = pad.body();
      pad.clear();
      await api("POST", sp("/consent"), body);
    }));
    $("typed").addEventListener("submit", act(async function () {
      const input = $("typed-phrase");
      const phrase = input.value.trim().replace(/\s+/g, " ").toUpperCase();
      if (phrase !== T.t("typed.phrase")) {
        window.KioskForms.mark(input, T.t("typed.wrong", { phrase: T.t("typed.phrase") }));
        input.focus();
        return;
      }
      window.KioskForms.mark(input, "");
      await api("POST", sp("/consent/typed"), { phrase: phrase });
      input.value = "";
    }));
    $("efirma").addEventListener("submit", act(sendEFirma));
    $("cred").addEventListener("submit", act(async function () {
      if (!window.KioskForms.credential($("cred"))) return;
      await api("POST", sp("/credential"), credentialBody());
      for (const i of $("fields").querySelectorAll("input")) i.value = "";
    }));
    $("face-go").addEventListener("click", act(function () { return api("POST", sp("/face"), {}); }));
    $("finger-go").addEventListener("click", act(function () { return api("POST", sp("/finger"), { position: fingerPos }); }));
    $("submit").addEventListener("click", act(function () { return api("POST", sp("/submit"), {}); }));
    $("finish").addEventListener("click", act(function () { return api("POST", sp("/finish"), {}); }));
    $("correct").addEventListener("click", act(function () { return api("POST", sp("/correct"), {}); }));
    for (const b of document.querySelectorAll("[data-cancel-capture]")) {
      b.addEventListener("click", act(function () { return api("POST", sp("/capture/cancel"), {}); }));
    }
    for (const b of document.querySelectorAll("[data-abort]")) {
      b.addEventListener("click", act(function () { return api("POST", sp("/abort"), { reason: b.dataset.abort }); }));
    }
  }

  wire();
  applyLang();
  connect();
})();
