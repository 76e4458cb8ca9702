"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("case-actions");
  GG.casePanel.render(box, box.dataset.caseId, { heading: false, facts: false, onChange: () => { setTimeout(() => location.reload(), 600); } })
    .catch((e) => { box.textContent = e.message; });
});
