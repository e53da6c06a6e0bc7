// Autosave for the assessment form. The page works without this script (plain posts);
// with it, changed answers are saved at most every 10 seconds while typing.
(function () {
  "use strict";
  const form = document.getElementById("assessment-form");
  if (!form) return;

  const MIN_INTERVAL = 10000; // at most one autosave every 10 s
  const DEBOUNCE = 1500;
  const editable = form.dataset.editable === "true";
  const stateEl = document.querySelector("[data-save-state]");
  const banner = document.querySelector("[data-banner]");
  const versionInput = form.querySelector("[data-version]");
  const storageKey = "held-answers:" + location.pathname;

  let dirty = {}; // name -> value not yet saved
  let invalid = new Set(); // names the server refused, left out until changed again
  let lastSave = 0;
  let timer = null;
  let inFlight = false;
  let stopped = false;
  let retryDelay = MIN_INTERVAL;
  let pendingSubmit = null; // a Save pressed while an autosave was on its way

  // Character counters beside every limited text.
  function updateCount(textarea) {
    const count = document.getElementById(textarea.id + "-count");
    if (count) count.textContent = textarea.value.length + " / " + textarea.dataset.limit;
  }
  form.querySelectorAll("textarea[data-limit]").forEach(updateCount);

  function valueOf(input) {
    if (input.type === "checkbox") return input.checked ? "on" : "";
    if (input.type === "radio") {
      const checked = form.querySelector('input[name="' + input.name + '"]:checked');
      return checked ? checked.value : "";
    }
    return input.value;
  }

  function setInput(name, value) {
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "checkbox") input.checked = value === "on";
      else if (input.type === "radio") input.checked = input.value === value;
      else input.value = value;
    });
    markPath(name);
  }

  // "How to reach the next level" marks the step up from the current level: the server marks
  // the saved one, this follows the level as it is chosen.
  function markPath(name) {
    const path = form.querySelector('[data-path-for="' + name + '"]');
    if (!path) return;
    const level = renderedValue(name);
    path.querySelectorAll("[data-level]").forEach(function (rung) {
      const here = rung.dataset.level === level;
      rung.classList.toggle("is-current", here);
      rung.querySelectorAll(".path-here").forEach(function (tag) { tag.hidden = !here; });
    });
    path.querySelectorAll("[data-step-from]").forEach(function (step) {
      const next = step.dataset.stepFrom === level;
      step.classList.toggle("is-next", next);
      step.querySelectorAll(".path-next").forEach(function (tag) { tag.hidden = !next; });
    });
  }

  function renderedValue(name) {
    const input = form.querySelector('[name="' + name + '"]');
    return input ? valueOf(input) : undefined;
  }

  // A copied answer that is changed is no longer last year's: drop its mark at once.
  function unmarkCopied(name) {
    const box = form.querySelector('[data-field="' + name + '"].is-copied');
    if (!box) return;
    box.classList.remove("is-copied");
    box.querySelectorAll(".copied-tag").forEach(function (tag) { tag.remove(); });
  }

  // An answer held by the server and offered back is "not saved yet" until a save of it.
  function unmarkHeld(name) {
    const box = form.querySelector('[data-field="' + name + '"].is-held');
    if (!box) return;
    box.classList.remove("is-held");
    box.querySelectorAll(".held-tag").forEach(function (tag) { tag.remove(); });
  }

  function isAnswer(name) {
    // The language the answers are written in travels with them (saved, kept offline).
    return /^r\d+-\w+$/.test(name) || /^(proposals|other_comments)(_private)?$/.test(name) ||
      name === "answers_language";
  }

  // Progress: a section is complete with a status and a current maturity level.
  function updateProgress() {
    const sections = form.querySelectorAll('[data-section^="r"]');
    let complete = 0;
    sections.forEach(function (section) {
      const anchor = section.dataset.section;
      const n = anchor.slice(1);
      const done = !!form.querySelector('input[name="r' + n + '-status"]:checked') &&
        !!form.querySelector('input[name="r' + n + '-maturity_current"]:checked');
      if (done) complete += 1;
      const state = document.querySelector('[data-section-state="' + anchor + '"]');
      if (state) state.classList.toggle("done", done);
      const sr = document.querySelector('[data-section-sr="' + anchor + '"]');
      if (sr) sr.textContent = done ? form.dataset.completeText : form.dataset.incompleteText;
    });
    const count = document.querySelector("[data-progress-count]");
    const bar = document.querySelector("[data-progress-bar]");
    if (count) count.textContent = complete;
    if (bar) bar.value = complete;
  }

  function setState(text, kind) {
    if (!stateEl) return;
    stateEl.textContent = text;
    stateEl.dataset.kind = kind || "";
  }

  function remember() {
    try {
      if (Object.keys(dirty).length) {
        localStorage.setItem(storageKey, JSON.stringify({ version: versionInput.value, values: dirty }));
      } else {
        localStorage.removeItem(storageKey);
      }
    } catch (e) { /* storage full or disabled: the server copy is what counts */ }
  }

  // A link from the status to the first answer the server refused.
  function pointTo(name) {
    const input = name && form.querySelector('[name="' + name + '"]');
    if (!stateEl || !input || !input.id) return;
    const link = document.createElement("a");
    link.href = "#" + input.id;
    link.textContent = form.dataset.refusedLinkText;
    stateEl.appendChild(document.createTextNode(" "));
    stateEl.appendChild(link);
  }

  function schedule(delay) {
    if (stopped || timer) return;
    const wait = Math.max(delay === undefined ? DEBOUNCE : delay, lastSave + MIN_INTERVAL - Date.now());
    timer = setTimeout(function () { timer = null; save(); }, wait);
  }

  function showBanner(message, details, buttonText, reload) {
    banner.replaceChildren();
    const p = document.createElement("p");
    p.textContent = message;
    banner.appendChild(p);
    if (details && details.length) {
      const ul = document.createElement("ul");
      details.forEach(function (line) {
        const li = document.createElement("li");
        li.textContent = line;
        ul.appendChild(li);
      });
      banner.appendChild(ul);
    }
    if (buttonText && reload) {
      const link = document.createElement("a");
      link.className = "button primary";
      // A new address, so that the page is fetched again and opens at the kept answers.
      link.href = location.pathname + "?kept=1#held";
      link.textContent = buttonText;
      banner.appendChild(link);
    } else if (buttonText) {
      // A plain form post: the server keeps or merges everything that is in the form.
      const button = document.createElement("button");
      button.type = "submit";
      button.className = "button primary";
      button.textContent = buttonText;
      button.setAttribute("form", "assessment-form");
      banner.appendChild(button);
    }
    banner.hidden = false;
    banner.scrollIntoView({ block: "nearest" });
    banner.focus({ preventScroll: true });
  }

  function clearErrors(name) {
    form.querySelectorAll('[data-js-error="' + name + '"]').forEach(function (el) { el.remove(); });
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      clearErrors(name);
      const inputs = form.querySelectorAll('[name="' + name + '"]');
      if (!inputs.length) return;
      inputs.forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
      const last = inputs[inputs.length - 1];
      const message = document.createElement("p");
      message.className = "error";
      message.dataset.jsError = name;
      message.textContent = errors[name].join(" ");
      (last.closest(".field, fieldset, .flag") || last.parentNode).appendChild(message);
      invalid.add(name);
    });
  }

  // A Save pressed during an autosave is posted once the autosave's answer (and version)
  // is in, so that one tab never conflicts with itself.
  function resumeSubmit() {
    if (!pendingSubmit) return false;
    const submitter = pendingSubmit;
    pendingSubmit = null;
    stopped = true;
    remember();
    if (form.requestSubmit) form.requestSubmit(submitter === true ? undefined : submitter);
    else form.submit();
    return true;
  }

  function save() {
    if (stopped || inFlight) return;
    const names = Object.keys(dirty).filter(function (name) { return !invalid.has(name); });
    if (!names.length) return;
    const sent = {};
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("version", versionInput.value);
    names.forEach(function (name) { sent[name] = dirty[name]; body.append(name, dirty[name]); });
    inFlight = true;
    lastSave = Date.now();
    setState(stateEl ? stateEl.dataset.savingText || "…" : "", "saving");
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      inFlight = false;
      const data = result.data;
      if (result.status === 200) {
        versionInput.value = data.version;
        const refused = data.refused || {};
        names.forEach(function (name) {
          // Only what the server acknowledged leaves the browser's copy.
          if (refused[name]) return;
          if (dirty[name] === sent[name]) delete dirty[name];
          clearErrors(name);
          unmarkHeld(name);
        });
        // What others saved meanwhile, merged by the server: shown, never over typing.
        Object.keys(data.updated || {}).forEach(function (name) {
          if (Object.prototype.hasOwnProperty.call(dirty, name)) return;
          setInput(name, data.updated[name]);
        });
        form.querySelectorAll("textarea[data-limit]").forEach(updateCount);
        updateProgress();
        showErrors(refused);
        remember();
        retryDelay = MIN_INTERVAL;
        setState(data.message, Object.keys(refused).length ? "refused" : "saved");
        pointTo(Object.keys(refused)[0]);
        if (!resumeSubmit() && Object.keys(dirty).length) schedule();
      } else if (result.status === 400 && data.errors) {
        showErrors(data.errors);
        setState(data.message, "refused");
        pointTo(Object.keys(data.errors)[0]);
        remember();
        resumeSubmit();
      } else if (result.status === 401) {
        stopped = true;
        pendingSubmit = null;
        setState(data.message, "error");
        showBanner(data.message, null, form.dataset.loginText);
      } else if (result.status === 409) {
        stopped = true;
        pendingSubmit = null;
        setState(data.message, "error");
        const lines = (data.changes || []).map(function (c) {
          return c.label + ": " + c.value + (c.by ? " (" + c.by + ")" : "");
        });
        showBanner(data.message, lines, form.dataset.mergeText);
      } else if (result.status === 403) {
        // Read-only now (a colleague submitted): the server kept what was typed, and so
        // does this browser until a save is acknowledged.
        stopped = true;
        pendingSubmit = null;
        setState(data.message || "", "error");
        showBanner(data.message || "", null, data.held ? form.dataset.reloadText : null, data.held);
      } else {
        throw new Error("HTTP " + result.status);
      }
    }).catch(function () {
      // Offline or a server error: keep everything and try again, a little later each time.
      inFlight = false;
      if (resumeSubmit()) return;
      setState(form.dataset.offlineText, "error");
      retryDelay = Math.min(retryDelay * 2, 60000);
      schedule(retryDelay);
    });
  }

  function onChange(event) {
    const input = event.target;
    if (!input.name || !isAnswer(input.name)) return;
    if (input.tagName === "TEXTAREA") updateCount(input);
    const answer = /^r(\d+)-(status|maturity_current|maturity_target)$/.exec(input.name);
    if (answer) checkConsistency(answer[1]);
    if (answer && answer[2] === "maturity_current") markPath(input.name);
    dirty[input.name] = valueOf(input);
    invalid.delete(input.name);
    unmarkCopied(input.name);
    remember();
    updateProgress();
    if (editable) {
      setState(form.dataset.unsavedText, "unsaved");
      schedule();
    }
  }

  // Warnings (never refusals) for answers that sit badly together. The rules are the
  // server's (assessments/consistency.py), rendered into the page as data.
  let rules = { status: [], targetBelow: "" };
  try { rules = JSON.parse(form.dataset.consistency || "null") || rules; } catch (e) { /* none */ }

  function checkConsistency(number) {
    const section = document.getElementById("r" + number);
    if (!section) return;
    const status = form.querySelector('input[name="r' + number + '-status"]:checked');
    const currentInput = form.querySelector('input[name="r' + number + '-maturity_current"]:checked');
    const targetInput = form.querySelector('[name="r' + number + '-maturity_target"]');
    const current = currentInput ? parseInt(currentInput.value, 10) : NaN;
    const target = targetInput ? parseInt(targetInput.value, 10) : NaN;
    const messages = { maturity_current: "", maturity_target: "" };
    rules.status.forEach(function (rule) {
      if (status && rule.status === status.value && rule.levels.indexOf(current) >= 0) {
        messages.maturity_current = rule.message;
      }
    });
    if (!isNaN(current) && !isNaN(target) && target < current) messages.maturity_target = rules.targetBelow;
    Object.keys(messages).forEach(function (field) {
      const warning = section.querySelector('[data-warning="' + field + '"]');
      if (!warning) return;
      warning.textContent = messages[field];
      warning.hidden = !messages[field];
    });
  }

  // One section at a time. Every section stays in the page, and so in every post and in the
  // browser's copy: hiding one never loses what was typed in it.
  const sectionEls = Array.prototype.slice.call(form.querySelectorAll("[data-section]"));
  const phone = window.matchMedia("(max-width: 56rem)");
  const sectionList = document.querySelector("[data-section-list]");
  let current = null;

  function sectionOf(hash) {
    if (!hash || hash.length < 2 || hash.charAt(0) !== "#") return null;
    const id = hash.slice(1);
    const target = document.getElementById(id);
    if (target) return target.closest("[data-section]");
    // A link to an answer whose input has another id (a radio button: id_r3-status_0).
    const match = /(?:^|_)(r\d+)-/.exec(id);
    return match ? document.getElementById(match[1]) : null;
  }

  const jump = document.querySelector("[data-section-jump]");
  const jumpSelect = document.querySelector("[data-section-select]");

  function showSection(section) {
    if (!section) return;
    current = section;
    if (jumpSelect) jumpSelect.value = section.id;
    sectionEls.forEach(function (el) { el.hidden = el !== section; });
    document.querySelectorAll("[data-section-link]").forEach(function (link) {
      if (link.dataset.sectionLink === section.dataset.section) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    });
  }

  function goTo(section) {
    showSection(section);
    if (location.hash !== "#" + section.id) history.pushState(null, "", "#" + section.id);
    section.setAttribute("tabindex", "-1");
    section.focus({ preventScroll: true });
    section.scrollIntoView();
  }

  if (sectionEls.length > 1) {
    form.classList.add("paged");
    const refused = form.querySelector('[aria-invalid="true"], .field-invalid');
    const first = sectionOf(location.hash) || (refused && refused.closest("[data-section]")) || sectionEls[0];
    showSection(first);
    if (location.hash && location.hash !== "#conflict" && location.hash !== "#held") {
      const target = document.getElementById(location.hash.slice(1));
      if (target && first.contains(target)) target.scrollIntoView();
    }
    if (sectionList && phone.matches) sectionList.open = false;
    if (jump && jumpSelect) {
      jump.hidden = false;
      jumpSelect.addEventListener("change", function () {
        const section = document.getElementById(jumpSelect.value);
        if (!section) return;
        if (editable && Object.keys(dirty).length) {
          clearTimeout(timer);
          timer = null;
          save();
        }
        goTo(section);
      });
    }
    window.addEventListener("hashchange", function () {
      const section = sectionOf(location.hash);
      if (!section || section === current) return;
      showSection(section);
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    });
    // A link into a hidden section (the section list, the merge table, "go to it") shows
    // that section first, so that the browser can scroll to it.
    document.addEventListener("click", function (event) {
      const link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (!link || link.hasAttribute("data-step")) return;
      const section = sectionOf(link.getAttribute("href"));
      if (section) showSection(section);
      if (sectionList && phone.matches && sectionList.contains(link)) sectionList.open = false;
    }, true);
    // "Next / previous section": what changed is saved at once, then the section changes
    // (without a script these buttons post the whole form and come back at that section).
    form.addEventListener("click", function (event) {
      const step = event.target.closest ? event.target.closest("[data-step]") : null;
      if (!step) return;
      const section = document.getElementById(step.dataset.step);
      if (!section) return;
      event.preventDefault();
      if (editable && Object.keys(dirty).length) {
        clearTimeout(timer);
        timer = null;
        save();
      }
      goTo(section);
    });
  }

  // A refused save comes back with the merge table: open there, whatever section the
  // address names.
  const conflictPanel = document.getElementById("conflict");
  if (conflictPanel) {
    const openAtConflict = function () {
      conflictPanel.scrollIntoView();
      conflictPanel.focus({ preventScroll: true });
    };
    // The address still names the section the save came from; the browser would scroll
    // there once the page has loaded.
    history.replaceState(null, "", location.pathname + location.search + "#conflict");
    openAtConflict();
    window.addEventListener("load", openAtConflict);
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  updateProgress();
  if (!editable) return;

  // Answers the server refused when this page was made (a full post) stay unsaved, in the
  // browser's copy too, until they are fixed.
  form.querySelectorAll('[aria-invalid="true"][name], .field-invalid [name]').forEach(function (input) {
    if (!isAnswer(input.name)) return;
    dirty[input.name] = valueOf(input);
    invalid.add(input.name);
  });
  const pageUnsaved = form.dataset.unsaved === "true";

  // Answers typed last time but never acknowledged by the server (closed tab, lost network,
  // a full post whose answer never came). What the page already shows was acknowledged.
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (stored && stored.values && Object.keys(stored.values).length && !pageUnsaved) {
      const restored = {};
      Object.keys(stored.values).forEach(function (name) {
        const value = stored.values[name];
        if (renderedValue(name) === undefined || renderedValue(name) === value) return;
        restored[name] = value;
      });
      Object.keys(restored).forEach(function (name) {
        setInput(name, restored[name]);
        dirty[name] = restored[name];
      });
      if (Object.keys(restored).length) {
        // Sent against the version they were typed on: the server merges what changed since.
        versionInput.value = stored.version || versionInput.value;
        form.querySelectorAll("textarea[data-limit]").forEach(updateCount);
        updateProgress();
        setState(form.dataset.restoredText, "unsaved");
        schedule(0);
      }
    }
    if (!pageUnsaved) remember();
  } catch (e) { /* nothing usable stored */ }

  form.addEventListener("submit", function (event) {
    if (inFlight) {
      event.preventDefault();
      pendingSubmit = event.submitter || true;
      return;
    }
    stopped = true; // the full post carries everything
    // What was typed stays in the browser's copy until the server's answer page shows it.
    remember();
  });
  window.addEventListener("beforeunload", function (event) {
    if (!stopped && Object.keys(dirty).length) {
      save();
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
