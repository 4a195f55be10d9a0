// The patch-ID-token page: inside the Shopify admin App Bridge reloads with a fresh token by itself;
// in development outside it, fetch a development token and reload with it.
(function () {
  "use strict";
  var body = document.body;
  if (body.dataset.devMode !== "1") return;
  var url = body.dataset.devTokenUrl + "?shop=" + encodeURIComponent(body.dataset.shop || "");
  fetch(url, { credentials: "omit", cache: "no-store" })
    .then(function (response) { if (!response.ok) throw new Error("no development shop"); return response.json(); })
    .then(function (data) {
      var target = new URL(body.dataset.reload, location.href);
      if (target.origin !== location.origin) return;
      target.searchParams.set("id_token", data.token);
      if (!target.searchParams.get("shop")) target.searchParams.set("shop", data.shop);
      location.replace(target.toString());
    })
    .catch(function (error) { document.querySelector("p").textContent = String(error); });
})();
