// The admin's page script: every call to the app carries a fresh session token (App Bridge, or the dev shim).
(function () {
  "use strict";

  var body = document.body;
  var devMode = body.dataset.devMode === "1";
  var RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request";
  var devToken = null;

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // App Bridge loads asynchronously; inside the Shopify admin it provides shopify.idToken().
  function appBridge(timeoutMs) {
    var started = Date.now();
    return new Promise(function (resolve) {
      (function poll() {
        if (window.shopify && typeof window.shopify.idToken === "function") return resolve(window.shopify);
        if (Date.now() - started > timeoutMs) return resolve(null);
        setTimeout(poll, 50);
      })();
    });
  }

  function fetchDevToken() {
    var url = body.dataset.devTokenUrl + "?shop=" + encodeURIComponent(body.dataset.shop || "");
    return fetch(url, { credentials: "omit", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("dev token " + r.status); return r.json(); })
      .then(function (data) { devToken = { token: data.token, at: Date.now() }; return data.token; });
  }

  function idToken(fresh) {
    if (devMode) {
      if (!fresh && devToken && Date.now() - devToken.at < 30000) return Promise.resolve(devToken.token);
      return fetchDevToken();
    }
    return appBridge(10000).then(function (bridge) {
      if (!bridge) throw new Error("App Bridge did not load");
      return bridge.idToken();
    });
  }

  // A fetch with `Authorization: Bearer <token>`; a stale token is refreshed and the call tried once more.
  function api(url, options, retried) {
    options = options || {};
    return idToken(retried).then(function (token) {
      var headers = Object.assign({ "Authorization": "Bearer " + token }, options.headers || {});
      if (options.json !== undefined) headers["Content-Type"] = "application/json";
      return fetch(url, {
        method: options.method || (options.json !== undefined ? "POST" : "GET"),
        headers: headers,
        body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
        credentials: "omit",
        cache: "no-store"
      });
    }).then(function (response) {
      if (response.status === 401 && response.headers.get(RETRY_HEADER) && !retried) return api(url, options, true);
      return response;
    });
  }

  function toast(message, isError) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.className = "toast toast--visible" + (isError ? " toast--error" : "");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.className = "toast"; }, 4000);
  }

  // Navigation inside the app: a document load needs the token in the query, so get one just before leaving.
  function navigate(href) {
    return idToken(false).then(function (token) {
      var url = new URL(href, location.href);
      url.searchParams.set("id_token", token);
      location.assign(url.toString());
    }).catch(function () { location.assign(href); });
  }

  function stripTokenFromAddress() {
    var url = new URL(location.href);
    if (!url.searchParams.has("id_token")) return;
    url.searchParams.delete("id_token");
    history.replaceState(history.state, "", url.pathname + (url.search || "") + url.hash);
  }

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button" || el.type === "file") return;
      if (el.type === "checkbox") {
        if (el.dataset.many !== undefined) {
          values[el.name] = values[el.name] || [];
          if (el.checked) values[el.name].push(el.value);
        } else {
          values[el.name] = el.checked ? "on" : "";
        }
        return;
      }
      values[el.name] = el.value;
    });
    return values;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (slot) { slot.hidden = true; slot.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(form, errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var slot = form.querySelector('[data-error-for="' + name + '"]');
      var input = form.querySelector('[name="' + name + '"]');
      if (slot) { slot.textContent = errors[name]; slot.hidden = false; }
      if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
    });
    if (first) first.focus();
  }

  function setStatus(form, text, tone) {
    var status = form.querySelector(".form-status");
    if (!status) return;
    status.textContent = text || "";
    status.className = "form-status" + (tone ? " form-status--" + tone : "");
  }

  // Every state change is a JSON POST with the bearer token; the answer is a message or errors per field.
  function submitForm(form, url, values) {
    var button = form.querySelector('[type="submit"]');
    if (button) button.disabled = true;
    clearErrors(form);
    setStatus(form, body.dataset.msgWorking);
    return api(url, { json: values }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          setStatus(form, data.message, "success");
          toast(data.message);
        } else {
          showErrors(form, data.errors);
          setStatus(form, data.message || body.dataset.msgError, "error");
        }
        form.dispatchEvent(new CustomEvent("admin:saved", { detail: { ok: response.ok, data: data } }));
        return data;
      });
    }).catch(function () {
      setStatus(form, body.dataset.msgError, "error");
    }).finally(function () { if (button) button.disabled = false; });
  }

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function bindNavigation() {
    document.addEventListener("click", function (event) {
      var a = event.target.closest("a[data-nav]");
      if (!a || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      navigate(a.href);
    });
    document.querySelectorAll("form[data-nav-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var url = new URL(form.action, location.href);
        new FormData(form).forEach(function (value, key) { if (value !== "") url.searchParams.set(key, value); });
        navigate(url.toString());
      });
    });
    var locale = document.getElementById("locale-switch");
    if (locale) locale.addEventListener("change", function () {
      api(body.dataset.localeUrl, { json: { locale: locale.value } }).then(function (response) {
        if (response.ok) navigate(location.href); else toast(body.dataset.msgError, true);
      });
    });
  }

  function bindForms() {
    document.querySelectorAll("form[data-api]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submitForm(form, form.dataset.api, formValues(form));
      });
    });
    document.querySelectorAll("[data-post]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
        button.disabled = true;
        api(button.dataset.post, { json: {} }).then(function (response) {
          return response.json().then(function (data) { toast(data.message, !response.ok); });
        }).catch(function () { toast(body.dataset.msgError, true); })
          .finally(function () { button.disabled = false; });
      });
    });
  }

  function bindCsv() {
    document.querySelectorAll("[data-csv]").forEach(function (button) {
      button.addEventListener("click", function () {
        button.disabled = true;
        api(button.dataset.csv).then(function (response) {
          if (!response.ok) throw new Error("csv " + response.status);
          var disposition = response.headers.get("Content-Disposition") || "";
          var match = /filename="([^"]+)"/.exec(disposition);
          return response.blob().then(function (blob) {
            var a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = match ? match[1] : "report.csv";
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
          });
        }).catch(function () { toast(body.dataset.msgError, true); })
          .finally(function () { button.disabled = false; });
      });
    });
  }

  window.stockoutAdmin = {
    api: api, idToken: idToken, navigate: navigate, toast: toast, formValues: formValues, submitForm: submitForm,
    showErrors: showErrors, clearErrors: clearErrors, setStatus: setStatus, debounce: debounce
  };

  stripTokenFromAddress();
  bindNavigation();
  bindForms();
  bindCsv();
})();
