/* Text limits, said instead of enforced by cutting: the browser's maxlength silently drops what
   is typed or pasted past it, so it is lifted here; a counter shows how much is used, and the
   server refuses text over the limit with the form as it was typed. */
(function () {
  function limit(root) {
    root.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (box) {
      var max = parseInt(box.getAttribute("maxlength"), 10);
      if (!max || box.dataset.max) return;
      box.dataset.max = max;
      box.removeAttribute("maxlength");
      var counter = document.createElement("div");
      counter.className = "counter";
      counter.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", counter);
      function update() {
        var used = box.value.length;
        counter.textContent = used + " / " + max;
        counter.classList.toggle("over", used > max);
        // a short field shows its counter only near its limit
        counter.hidden = box.tagName !== "TEXTAREA" && used < max * 0.8;
      }
      box.addEventListener("input", update);
      update();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { limit(document); });
  document.addEventListener("htmx:load", function (event) { limit(event.target); });
})();
