/* SMS part counter of the reply box: GSM-7 160/153 per part, otherwise UCS-2 70/67 (as Kavenegar bills). */
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXT = "^{}\\[~]|€\f";
  var FA = "۰۱۲۳۴۵۶۷۸۹";

  function fa(n) { return String(n).replace(/[0-9]/g, function (d) { return FA[Number(d)]; }); }

  function units(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (c) { return GSM.indexOf(c) >= 0 || GSM_EXT.indexOf(c) >= 0; });
    if (gsm) return { costs: chars.map(function (c) { return GSM_EXT.indexOf(c) >= 0 ? 2 : 1; }), single: 160, part: 153 };
    return { costs: chars.map(function (c) { return c.codePointAt(0) > 0xffff ? 2 : 1; }), single: 70, part: 67 };
  }

  function parts(text) {
    var u = units(text);
    var total = u.costs.reduce(function (a, b) { return a + b; }, 0);
    if (total <= u.single) return { parts: total ? 1 : 0, used: total, size: u.single };
    var n = 1, used = 0;
    u.costs.forEach(function (c) { if (used + c > u.part) { n += 1; used = 0; } used += c; });
    return { parts: Math.max(n, Math.ceil(total / u.part)), used: total, size: u.part };
  }

  var box = document.querySelector("[data-sms-counter]");
  if (!box) return;
  var out = document.getElementById(box.getAttribute("data-sms-counter"));
  function update() {
    var p = parts(box.value);
    out.textContent = fa(p.used) + " نویسه، " + fa(p.parts) + " پیامک" + (p.size ? " (هر بخش " + fa(p.size) + " نویسه)" : "");
    out.setAttribute("data-parts", String(p.parts));
  }
  box.addEventListener("input", update);
  update();
})();
