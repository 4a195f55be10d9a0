// The products pages: "leave alone" switches and the restock CSV import.
(function () {
  "use strict";
  var admin = window.stockoutAdmin;

  document.querySelectorAll("[data-leave-alone]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.disabled = true;
      admin.api(box.dataset.leaveAlone, { json: { leave_alone: box.checked ? "on" : "" } }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) box.checked = !box.checked;
          admin.toast(data.message, !response.ok);
        });
      }).catch(function () { box.checked = !box.checked; }).finally(function () { box.disabled = false; });
    });
  });

  var form = document.getElementById("import");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.querySelector('[type="file"]').files[0];
    var problems = form.querySelector("[data-import-problems]");
    problems.innerHTML = "";
    admin.clearErrors(form);
    (file ? file.text() : Promise.resolve("")).then(function (text) {
      return admin.api(form.dataset.import, { json: { csv: text } });
    }).then(function (response) {
      return response.json().then(function (data) {
        if (data.errors) admin.showErrors(form, data.errors);
        (data.problems || []).forEach(function (p) {
          var li = document.createElement("li"); li.textContent = p.row + ": " + p.message; problems.appendChild(li);
        });
        admin.setStatus(form, data.message, response.ok && data.ok ? "success" : "error");
      });
    });
  });
})();
