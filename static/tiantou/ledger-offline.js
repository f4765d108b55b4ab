/* The activity entry form on a phone: show only the chosen type's figures, fill the
 * location, and keep records made without network on the device until they can be sent.
 * Each record carries the client-made UUID, so sending it twice never makes two records. */
(function () {
  "use strict";

  var STORE = "tiantou.ledger.outbox";
  var MAX_PHOTO_BYTES = 1500000; // larger photos are not kept on the device

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }

  function save(items) {
    try {
      localStorage.setItem(STORE, JSON.stringify(items));
      return true;
    } catch (e) {
      return false;
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showOutbox(message) {
    var box = document.querySelector("[data-ledger-outbox]");
    if (!box) return;
    var n = load().length;
    var template = box.dataset.msgWaiting || (document.querySelector("[data-ledger-form]") || {}).dataset?.msgWaiting || "%(count)s";
    var text = message || (n ? template.replace("%(count)s", n) : "");
    box.textContent = text;
    box.classList.toggle("d-none", !text);
    box.dataset.count = String(n);
  }

  function dataUrlToBlob(url) {
    var parts = url.split(","), mime = parts[0].match(/:(.*?);/)[1];
    var bin = atob(parts[1]), arr = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    return new Blob([arr], { type: mime });
  }

  function send(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken") body.append(pair[0], pair[1]);
    });
    if (item.photo) body.append("photo", dataUrlToBlob(item.photo), item.photoName || "photo.jpg");
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var items = load();
    if (!items.length) return Promise.resolve();
    flushing = true;
    var remaining = [];
    var sent = 0;
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        return send(item).then(function (response) {
          // Accepted, or already received (same UUID): done. A refusal stays, with its reason.
          if (response.ok) { sent++; return; }
          return response.json().catch(function () { return {}; }).then(function (data) {
            item.errors = data.errors || { __all__: [String(response.status)] };
            remaining.push(item);
          });
        }, function () { remaining.push(item); });
      });
    }, Promise.resolve()).then(function () {
      save(remaining);
      flushing = false;
      var box = document.querySelector("[data-ledger-outbox]");
      showOutbox(sent && !remaining.length && box ? box.dataset.msgSent : "");
    });
  }

  function keep(form, submitter, message) {
    var fields = [];
    var photoInput = form.querySelector("input[type=file][name=photo]");
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string") fields.push([key, value]);
    });
    if (submitter && submitter.name) fields.push([submitter.name, submitter.value]);
    var item = { url: form.getAttribute("action") || window.location.href, fields: fields, savedAt: Date.now() };
    var file = photoInput && photoInput.files && photoInput.files[0];
    var finish = function (skippedPhoto) {
      var items = load().filter(function (old) { return uuidOf(old) !== uuidOf(item); });
      items.push(item);
      save(items);
      form.reset();
      form.querySelector("input[name=uuid]").value = newUuid();
      applyType(form);
      showOutbox(message + (skippedPhoto ? " " + form.dataset.msgPhotoSkipped : ""));
    };
    if (file && file.size <= MAX_PHOTO_BYTES) {
      var reader = new FileReader();
      reader.onload = function () {
        item.photo = reader.result;
        item.photoName = file.name;
        finish(false);
      };
      reader.onerror = function () { finish(true); };
      reader.readAsDataURL(file);
    } else {
      finish(Boolean(file));
    }
  }

  function uuidOf(item) {
    var pair = item.fields.filter(function (p) { return p[0] === "uuid"; })[0];
    return pair ? pair[1] : "";
  }

  function applyType(form) {
    var config = JSON.parse((document.getElementById("activity-types") || {}).textContent || "{}");
    var select = form.querySelector("select[name=activity_type]");
    var type = config[select && select.value] || null;
    form.querySelectorAll("[data-measure]").forEach(function (el) {
      var shown = type ? type.measures.indexOf(el.dataset.measure) >= 0 : true;
      el.classList.toggle("d-none", !shown);
      var input = el.querySelector("input");
      if (!shown && input) input.value = "";
    });
    var techs = form.querySelector("[data-technologies]");
    if (techs) {
      var showTechs = type ? type.technologies : true;
      techs.classList.toggle("d-none", !showTechs);
      if (!showTechs) techs.querySelectorAll("input").forEach(function (i) { i.checked = false; });
    }
  }

  function setUpForm(form) {
    var uuidInput = form.querySelector("input[name=uuid]");
    if (uuidInput && !uuidInput.value) uuidInput.value = newUuid();
    var select = form.querySelector("select[name=activity_type]");
    if (select) select.addEventListener("change", function () { applyType(form); });
    applyType(form);

    var locate = form.querySelector("[data-locate]");
    var status = form.querySelector("[data-locate-status]");
    if (locate) {
      locate.addEventListener("click", function () {
        if (!navigator.geolocation) { status.textContent = form.dataset.msgNoLocation; return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
          status.textContent = form.dataset.msgLocated;
        }, function () { status.textContent = form.dataset.msgNoLocation; }, { timeout: 10000 });
      });
    }

    form.addEventListener("submit", function (event) {
      if (form.dataset.native === "1") return; // let the browser post and show the errors
      event.preventDefault();
      var submitter = event.submitter;
      if (!navigator.onLine) { keep(form, submitter, form.dataset.msgSaved); return; }
      var body = new FormData(form);
      if (submitter && submitter.name) body.append(submitter.name, submitter.value);
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (data) { window.location.href = data.url; });
        }
        // Refused: post the ordinary way so the page shows each message by its field.
        form.dataset.native = "1";
        if (form.requestSubmit) form.requestSubmit(submitter); else form.submit();
      }, function () {
        keep(form, submitter, form.dataset.msgSaved);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-ledger-form]");
    if (form) setUpForm(form);
    showOutbox("");
    flush();
  });
  window.addEventListener("online", flush);
  window.tiantouLedgerOutbox = { flush: flush, load: load };
})();
