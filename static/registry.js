// Small behaviours the pages share; no inline scripts anywhere, so the CSP can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // After a failed submit, take keyboard and screen-reader users to the list of problems.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
