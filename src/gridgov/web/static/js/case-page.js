"use strict";
// the panel is drawn on the server and redrawn after each action; the page (facts, chain) follows a moment later
document.addEventListener("gg-changed", () => { setTimeout(() => location.reload(), 600); });
