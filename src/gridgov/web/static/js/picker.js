/* Type-ahead pickers (units, categories, grids) and the searchable multi-select. The server finds the matches by
   name, pinyin initials or code (/api/v1/pickers/…) and draws the multi-select's groups; this controller only
   sends what was typed and shows the answer as text. The visible box shows the name; a hidden input carries the
   code that the form sends. */
"use strict";
(() => {
  const { h } = GG;

  function setPick(hidden, code, name) {
    const box = hidden.closest("[data-picker]");
    hidden.value = code || "";
    if (box) {
      box.querySelector("input[role=combobox]").value = name || code || "";
      box.querySelector(".picked").textContent = code || "";
      box.querySelector("input[role=combobox]").setCustomValidity("");
    }
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const input = box.querySelector("input[role=combobox]");
    const hidden = box.querySelector("input[type=hidden]");
    const list = box.querySelector("[role=listbox]");
    let items = [], active = -1, asked = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    const warn = box.querySelector(".warn");
    const choose = (i) => {
      const it = items[i];
      if (it) setPick(hidden, it.code, it.name);
      if (warn) { warn.textContent = (it && it.warning) || ""; warn.hidden = !(it && it.warning); }
      close();
    };
    const draw = () => {
      list.replaceChildren(...items.map((it, i) => h("li", {
        role: "option", id: list.id + "-" + i, "aria-selected": String(i === active), dataset: { code: it.code },
        onmousedown: (ev) => { ev.preventDefault(); choose(i); },
      }, h("span", { class: "name" }, it.name), " ", h("small", { class: "code" }, it.code + (it.hint ? " · " + it.hint : "")))));
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
    };
    const ask = GG.debounce(async () => {
      const mine = ++asked;
      const params = new URLSearchParams(box.dataset.params || "");
      params.set("q", input.value.trim());
      try {
        const found = await GG.api("GET", "/api/v1/pickers/" + box.dataset.picker + "?" + params.toString());
        if (mine !== asked) return; // an older answer arriving late
        items = found; active = items.length ? 0 : -1; draw();
      } catch (e) { GG.toast(e.message, true); }
    }, 150);
    input.addEventListener("input", () => {
      hidden.value = ""; box.querySelector(".picked").textContent = "";
      if (!input.value.trim()) { setPick(hidden, "", ""); close(); return; }
      ask();
    });
    input.addEventListener("focus", () => { if (!hidden.value) ask(); });
    input.addEventListener("change", (ev) => ev.stopPropagation()); // the form reacts to the code, not to the typing
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!items.length) return;
        active = (active + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length; draw();
      } else if (ev.key === "Enter" && !list.hidden && active >= 0) { ev.preventDefault(); choose(active); }
      else if (ev.key === "Escape") close();
    });
    input.addEventListener("blur", () => {
      // typed a name or a code exactly: take it; otherwise the form says to pick from the list
      const typed = input.value.trim();
      const exact = items.find((it) => it.name === typed || it.code.toLowerCase() === typed.toLowerCase());
      if (!hidden.value && exact) choose(items.indexOf(exact));
      input.setCustomValidity(typed && !hidden.value ? "请从列表中选择" : "");
      setTimeout(close, 100);
    });
    // typed before this controller was ready (a slow page; a panel htmx swapped in binds only once it settles):
    // what the box holds is not what the server drew, so it is the person's text, and it is answered as typed
    if (input.value !== input.defaultValue) {
      hidden.value = ""; box.querySelector(".picked").textContent = "";
      if (input.value.trim()) ask();
    }
  }

  /* The searchable multi-select: typing hides the options whose name, initials or group do not match. */
  function initMulti(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const filter = box.querySelector("input[type=search]");
    const count = box.querySelector(".chosen");
    const update = () => { count.textContent = "已选 " + box.querySelectorAll("input[type=checkbox]:checked").length + " 个"; };
    const apply = () => {
      const q = filter.value.trim().toLowerCase();
      for (const group of box.querySelectorAll("fieldset")) {
        let shown = 0;
        for (const opt of group.querySelectorAll("label[data-name]")) {
          const hit = !q || opt.dataset.name.includes(filter.value.trim()) || opt.dataset.initials.includes(q) || opt.dataset.code.toLowerCase().includes(q) || group.dataset.group.includes(filter.value.trim());
          opt.hidden = !hit; if (hit) shown++;
        }
        group.hidden = shown === 0;
      }
    };
    filter.addEventListener("input", apply);
    box.addEventListener("change", update);
    update();
    if (filter.value.trim()) apply(); // typed before this controller was ready
  }

  /* A form is not sent while a picker holds a name that was typed but not picked. */
  document.addEventListener("submit", (ev) => {
    const bad = [...ev.target.querySelectorAll("[data-picker] input[role=combobox]")].find((i) => i.value.trim() && !i.closest("[data-picker]").querySelector("input[type=hidden]").value);
    const none = [...ev.target.querySelectorAll("[data-multi][data-required]")].find((b) => !b.querySelector("input[type=checkbox]:checked"));
    if (!bad && !none) return;
    ev.preventDefault(); ev.stopImmediatePropagation();
    const el = bad || none.querySelector("input[type=search]");
    const message = bad ? "「" + bad.value.trim() + "」不在列表中: 请从列表中选择" : "请至少选择一个";
    GG.toast(message, true);
    const out = ev.target.querySelector(".error");
    if (out) out.textContent = message;
    el.focus();
  }, true);

  const scan = (root) => {
    root.querySelectorAll("[data-picker]").forEach(init);
    root.querySelectorAll("[data-multi]").forEach(initMulti);
  };
  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:load", (ev) => scan(ev.detail.elt.parentNode || ev.detail.elt));
  GG.setPick = setPick;
})();
