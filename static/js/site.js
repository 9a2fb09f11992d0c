// StyleMatch's one script. Every page works without it; it only makes pages nicer (progressive
// enhancement). No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";

  var FETCH_HEADERS = { "X-Requested-With": "fetch", Accept: "application/json" };

  // Messages: the same markup as templates/message.html, added to the page's live region.
  function announce(text, level) {
    var region = document.getElementById("messages");
    if (!region) { return; }
    var box = document.createElement("div");
    box.className = "message message-" + level;
    box.setAttribute("role", level === "error" || level === "warning" ? "alert" : "status");
    var icon = document.createElement("span");
    icon.className = "message-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = { error: "\u2715", warning: "!", success: "\u2713" }[level] || "i";
    var words = document.createElement("span");
    words.className = "message-text";
    words.textContent = text;
    box.appendChild(icon);
    box.appendChild(words);
    region.textContent = "";
    region.appendChild(box);
  }

  // Pending work updates itself: poll the result fragment until the request is finished.
  function poll(container) {
    var url = container.getAttribute("data-poll");
    var delay = 1000;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          container.innerHTML = html;
          var status = container.querySelector("[data-status]");
          var state = status ? status.getAttribute("data-status") : "";
          if (state === "done" || state === "failed") {
            container.removeAttribute("data-poll");
            return;
          }
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, delay);
  }

  // A select marked data-autosubmit sends its form when changed (the language switcher).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });

  // Upload forms: the button shows progress and cannot be pressed twice.
  function setBusy(form, busy) {
    var button = form.querySelector("button[type=submit]");
    var note = form.querySelector(".busy-note");
    if (button) {
      button.disabled = busy;
      button.setAttribute("aria-busy", busy ? "true" : "false");
      button.classList.toggle("is-busy", busy);
    }
    if (note) { note.hidden = !busy; }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy-form")) { return; }
    if (form.getAttribute("data-busy") === "true") { event.preventDefault(); return; }
    form.setAttribute("data-busy", "true");
    // Disable after the submit has collected the form's fields (a disabled button sends nothing).
    window.setTimeout(function () { setBusy(form, true); }, 0);
  });
  // Coming back with the Back button (page cache) re-enables the form.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy-form]").forEach(function (form) {
      form.removeAttribute("data-busy");
      setBusy(form, false);
    });
  });

  // Save and shortlist buttons update in place. Without a script the form posts and the page
  // comes back to the same card (the form's `next` carries its anchor).
  function label(button, text) {
    var span = button.querySelector(".button-label");
    (span || button).textContent = text;
  }
  function inplace(form, event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button.disabled) { return; }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: FETCH_HEADERS,
    })
      .then(function (response) {
        return response.json().then(function (data) { return data; }, function () {
          // Not JSON (a 404 or 500 page): say so in words rather than fail silently.
          var region = document.getElementById("messages");
          return { ok: false, level: "error", message: region ? region.getAttribute("data-generic-error") : "" };
        });
      })
      .then(function (data) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        if (data.message) { announce(data.message, data.level || (data.ok ? "success" : "error")); }
        if (!data.ok) { return; }
        var kind = form.getAttribute("data-inplace");
        if (kind === "save") {
          var on = data.saved === true;
          form.action = on ? data.remove_url : data.add_url;
          button.setAttribute("aria-pressed", on ? "true" : "false");
          button.classList.toggle("is-on", on);
          label(button, button.getAttribute(on ? "data-on-label" : "data-off-label"));
        } else if (kind === "shortlist") {
          var select = form.querySelector("select[name=campaign]");
          var option = select && select.selectedOptions[0];
          if (option) {
            option.disabled = true;
            option.textContent = option.textContent + " \u2713";
            var free = Array.prototype.filter.call(select.options, function (o) { return !o.disabled; });
            if (free.length) { select.value = free[0].value; }
          }
          // As after a reload: with no campaign left to add to, the form is gone (not greyed).
          var allAdded = !select || !Array.prototype.some.call(select.options, function (o) { return !o.disabled; });
          var note = form.parentNode.querySelector("[data-shortlisted]");
          if (!note) {
            note = document.createElement("p");
            note.className = "state-note";
            note.setAttribute("data-shortlisted", "");
            note.textContent = "\u2713 " + (form.getAttribute("data-shortlisted-label") || "") + " ";
            form.parentNode.insertBefore(note, form);
          } else {
            note.appendChild(document.createTextNode(", "));
          }
          var link = document.createElement("a");
          link.href = data.campaign_url;
          link.textContent = option ? option.textContent.replace(" \u2713", "") : "";
          note.appendChild(link);
          if (allAdded) { form.remove(); note.setAttribute("tabindex", "-1"); note.focus(); }
        }
      })
      .catch(function () {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        form.submit();  // the network failed: let the browser post it the plain way
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-inplace") && window.fetch && window.FormData) {
      inplace(form, event);
    }
  });

  // The post viewer: a link marked data-post-viewer opens its post in a dialog; the link still
  // works as a plain page (new tab, no script, or an old browser without <dialog>).
  var lastOpener = null;
  var viewerEntry = false;  // whether the open viewer added a history entry of its own
  var viewerLoading = false;
  function openViewer(link) {
    var dialog = document.getElementById("post-viewer");
    var body = dialog.querySelector("[data-viewer-body]");
    if (dialog.open || viewerLoading) { return; }  // a double tap opens it once
    viewerLoading = true;
    fetch(link.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        var article = body.querySelector("[data-post-title]");
        dialog.querySelector(".viewer-title").textContent = article
          ? article.getAttribute("data-post-title") : "";
        lastOpener = link;
        viewerLoading = false;
        dialog.showModal();
        dialog.querySelector("[data-close-viewer]").focus();
        // A history entry of its own: a phone's Back button closes the viewer, not the page.
        history.pushState({ postViewer: true }, "");
        viewerEntry = true;
      })
      .catch(function () { viewerLoading = false; window.location.href = link.href; });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-post-viewer]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    var dialog = document.getElementById("post-viewer");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    openViewer(link);
  });
  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("post-viewer");
    if (!dialog || !dialog.open) { return; }
    // The close button, or a tap on the backdrop (outside the dialog's box).
    if (event.target.closest("[data-close-viewer]") || event.target === dialog) {
      dialog.close();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("post-viewer");
    if (dialog) {
      dialog.addEventListener("close", function () {
        dialog.querySelector("[data-viewer-body]").textContent = "";
        if (lastOpener) { lastOpener.focus(); }
        // Closed by its button or Escape: drop the entry the viewer added.
        if (viewerEntry) { viewerEntry = false; history.back(); }
      });
    }
    // A reload or a return from another page on the viewer's entry: it no longer has a viewer.
    if (history.state && history.state.postViewer) { history.replaceState(null, ""); }
  });
  window.addEventListener("popstate", function () {
    var dialog = document.getElementById("post-viewer");
    if (dialog && dialog.open) {  // Back pressed while the viewer is open: its entry is gone
      viewerEntry = false;
      dialog.close();
    }
  });

  // Sign-up: only the chosen role's fields are sent (CSS already shows only them).
  function syncRole(form) {
    var chosen = form.querySelector("input[name=role]:checked");
    form.querySelectorAll("fieldset[data-role]").forEach(function (set) {
      set.disabled = !chosen || set.getAttribute("data-role") !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-signup") && event.target.name === "role") { syncRole(form); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // A refused form: its error summary comes into view first (on a phone the fields are below).
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("form[data-signup]").forEach(syncRole);
  });
})();
