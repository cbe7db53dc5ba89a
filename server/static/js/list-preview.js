// 清单试读：把表单连同 Bearer 令牌发到 /api/lists/preview，显示与 policykg load --dry-run 相同的文字。
(function () {
  "use strict";
  var form = document.getElementById("preview-form");
  var out = document.getElementById("preview-text");
  var box = document.getElementById("error-box");
  var msg = document.getElementById("error-message");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    box.hidden = true;
    out.textContent = "读取中… / reading…";
    var data = new FormData(form);
    var token = document.getElementById("preview-token").value;
    fetch("/api/lists/preview", { method: "POST", body: data, headers: { Authorization: "Bearer " + token } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          out.textContent = "";
          msg.textContent = res.body.error || JSON.stringify(res.body);
          box.hidden = false;
          return;
        }
        out.textContent = res.body.text;
      })
      .catch(function (err) { out.textContent = ""; msg.textContent = String(err); box.hidden = false; });
  });
})();
