// The settings page: presets and the live compensation sample, the template editor's preview, channel tests.
(function () {
  "use strict";
  var admin = window.stockoutAdmin;

  function bindCompensation() {
    var form = document.getElementById("comp");
    if (!form) return;
    var presets = JSON.parse(document.getElementById("presets-data").textContent);
    var presetSelect = form.querySelector('[name="preset_id"]');
    var refresh = admin.debounce(function () {
      admin.api(form.dataset.preview, { json: admin.formValues(form) }).then(function (response) {
        return response.json().then(function (data) {
          admin.clearErrors(form);
          if (!response.ok) { admin.showErrors(form, data.errors); return; }
          Object.keys(data.sample).forEach(function (option) {
            var slot = form.querySelector('[data-sample="' + option + '"]');
            if (slot) slot.textContent = data.sample[option];
          });
        });
      });
    }, 300);

    presetSelect.addEventListener("change", function () {
      var chosen = presets.filter(function (p) { return p[0] === presetSelect.value; })[0];
      if (!chosen) return;
      Object.keys(chosen[2]).forEach(function (option) {
        var values = chosen[2][option];
        Object.keys(values).forEach(function (field) {
          var input = form.querySelector('[name="' + option + "." + field + '"]');
          if (!input) return;
          if (input.type === "checkbox") input.checked = values[field] === "on"; else input.value = values[field];
        });
      });
      refresh();
    });
    form.addEventListener("input", function (event) {
      if (event.target !== presetSelect) presetSelect.value = "";
      refresh();
    });
    form.addEventListener("change", function (event) { if (event.target !== presetSelect) refresh(); });
  }

  function bindTemplates() {
    var form = document.getElementById("tmpl");
    if (!form) return;
    var source = form.querySelector('[name="source"]');
    var text = form.querySelector("[data-preview-text]");
    var frame = form.querySelector("[data-preview-html]");
    var cost = form.querySelector("[data-preview-cost]");
    var problems = form.querySelector("[data-preview-problems]");
    var customised = form.querySelector("[data-customised]");

    function target() {
      return { kind: form.kind.value, locale: form.locale.value, part: form.part.value };
    }
    function show(preview) {
      cost.textContent = preview.segments || "";
      text.hidden = preview.html; frame.hidden = !preview.html;
      if (preview.html) frame.srcdoc = preview.rendered; else text.textContent = preview.rendered;
      problems.innerHTML = "";
      preview.problems.forEach(function (problem) {
        var li = document.createElement("li"); li.textContent = problem; problems.appendChild(li);
      });
    }
    var refresh = admin.debounce(function () {
      admin.api(form.dataset.preview, { json: Object.assign(target(), { source: source.value }) })
        .then(function (r) { return r.json(); }).then(function (data) { if (data.preview) show(data.preview); });
    }, 300);

    function load() {
      var query = new URLSearchParams(target()).toString();
      admin.api(form.dataset.source + "?" + query).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.ok) return;
        source.value = data.source;
        customised.textContent = data.customised ? customised.dataset.textCustomised : customised.dataset.textDefault;
        customised.className = "badge badge--" + (data.customised ? "info" : "neutral");
        show(data.preview);
        admin.clearErrors(form);
        admin.setStatus(form, "");
      });
    }
    form.addEventListener("admin:saved", function (event) {
      if (!event.detail.ok) return;
      customised.textContent = customised.dataset.textCustomised;
      customised.className = "badge badge--info";
    });
    ["kind", "locale", "part"].forEach(function (name) { form[name].addEventListener("change", load); });
    source.addEventListener("input", refresh);
    form.querySelector("[data-template-reset]").addEventListener("click", function () {
      admin.api(form.dataset.reset, { json: target() }).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.ok) return;
        source.value = data.source; show(data.preview); admin.clearErrors(form);
        admin.setStatus(form, data.message, "success");
      });
    });
  }

  function bindChannelTest() {
    var form = document.getElementById("channel-test");
    if (!form) return;
    form.querySelectorAll("[data-test-channel]").forEach(function (button) {
      button.addEventListener("click", function () {
        var channel = button.dataset.testChannel;
        var to = form.querySelector('[name="test_' + channel + '"]').value;
        admin.clearErrors(form);
        button.disabled = true;
        admin.api(form.dataset.testUrl, { json: { channel: channel, to: to } }).then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) {
              admin.showErrors(form, data.errors);
              admin.setStatus(form, data.message, "error");
              return;
            }
            admin.setStatus(form, data.message);
            poll(data.test_id, 0);
          });
        }).finally(function () { button.disabled = false; });
      });
    });
    function poll(testId, attempt) {
      var url = form.dataset.resultUrl.replace("TEST_ID", testId);
      admin.api(url).then(function (r) { return r.json(); }).then(function (data) {
        var done = data.status === "sent" || data.status === "failed";
        admin.setStatus(form, data.label + (data.status === "failed" && data.detail ? " — " + data.detail : ""),
          data.status === "failed" ? "error" : (done ? "success" : ""));
        if (!done && attempt < 30) setTimeout(function () { poll(testId, attempt + 1); }, 1000);
      });
    }
  }

  bindCompensation();
  bindTemplates();
  bindChannelTest();
})();
