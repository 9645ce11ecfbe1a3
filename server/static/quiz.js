// Quiz attempt page: a countdown that submits at zero, and autosave of answers through the API.
// The page works without this script: the form's buttons save and submit.
(function () {
  "use strict";
  var form = document.getElementById("attempt");
  if (!form) return;
  var id = form.getAttribute("data-attempt");
  var csrf = form.querySelector("input[name=csrf]").value;
  var status = document.getElementById("autosave");

  function answers() {
    var out = {};
    var sets = form.querySelectorAll("fieldset[data-q]");
    for (var i = 0; i < sets.length; i++) {
      var set = sets[i], q = set.getAttribute("data-q"), kind = set.getAttribute("data-kind");
      if (kind === "short" || kind === "numerical") {
        out[q] = set.querySelector("input[type=text]").value;
      } else if (kind === "matching") {
        var m = {}, selects = set.querySelectorAll("select");
        for (var j = 0; j < selects.length; j++) {
          m[selects[j].name.slice(q.length + 1)] = selects[j].value;
        }
        out[q] = m;
      } else {
        var picked = [], inputs = set.querySelectorAll("input:checked");
        for (var k = 0; k < inputs.length; k++) picked.push(inputs[k].value);
        out[q] = picked;
      }
    }
    return out;
  }

  var timer = null, submitting = false;
  function save() {
    timer = null;
    if (submitting || !window.fetch) return;
    fetch("/api/v1/attempts/" + id + "/answers", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(answers())
    }).then(function (r) {
      var now = new Date();
      var hhmmss = [now.getHours(), now.getMinutes(), now.getSeconds()].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":");
      status.textContent = r.ok ? status.getAttribute("data-ok") + " " + hhmmss : status.getAttribute("data-failed");
    }, function () {
      status.textContent = status.getAttribute("data-failed");
    });
  }
  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 800);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  form.addEventListener("submit", function () { submitting = true; });

  var clock = document.getElementById("countdown");
  if (clock) {
    document.getElementById("time-left").hidden = false;
    var end = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds-left"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0) {
        if (!submitting) {
          submitting = true;
          var action = document.createElement("input");
          action.type = "hidden"; action.name = "action"; action.value = "submit";
          form.appendChild(action);
          form.submit();
        }
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
