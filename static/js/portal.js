// The menu button folds the header navigation on narrow screens. Without this
// script the navigation simply stays open (the class below turns folding on).
document.documentElement.classList.add("js-nav");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-button");
  var nav = document.getElementById("site-nav");
  if (!button || !nav) { return; }
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
});

// A long list (301 matters, 972 departments) is chosen by typing: every
// select with more than 30 options gets a filter box above it that hides
// the options not containing what was typed.
document.addEventListener("DOMContentLoaded", function () {
  var LONG = 30;
  Array.prototype.forEach.call(document.querySelectorAll("select:not([multiple])"), function (select, n) {
    if (select.options.length <= LONG || select.dataset.noFilter !== undefined) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.id = (select.id || "select-" + n) + "-filter";
    box.placeholder = "输入文字筛选（共 " + select.options.length + " 项）";
    box.setAttribute("aria-label", "输入文字筛选下方列表");
    box.setAttribute("aria-controls", select.id || "");
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select);
    box.addEventListener("input", function () {
      var text = box.value.trim(), shown = 0, first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var keep = !text || option.value === "" || option.text.indexOf(text) !== -1;
        option.hidden = !keep;
        if (keep && option.value !== "") { shown += 1; if (!first) { first = option; } }
      });
      status.textContent = text ? "筛选出 " + shown + " 项" : "";
      var current = select.options[select.selectedIndex];
      if (text && first && (!current || current.hidden || current.value === "")) {
        first.selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
});
