// Small behaviours the pages share; no inline scripts anywhere, so the CSP can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  // After a failed submit, take keyboard and screen-reader users to the list of problems.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  // A background export's page follows its progress, and shows the file once it is ready.
  const job = document.querySelector("[data-job-status]");
  if (job) followJob(job);
});

function followJob(element) {
  const bar = element.querySelector("progress");
  const words = element.querySelector("[data-job-words]");
  const ask = async () => {
    let state;
    try {
      const response = await fetch(element.dataset.jobStatus, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch (error) {
      window.setTimeout(ask, 5000);
      return;
    }
    if (state.status !== "queued" && state.status !== "running") {
      window.location.reload();
      return;
    }
    if (bar && state.rows_expected) {
      bar.max = state.rows_expected;
      bar.value = Math.min(state.rows_written, state.rows_expected);
    }
    if (words) {
      const noun = element.dataset.jobNoun;
      words.textContent = noun
        ? `${state.step || state.label}: ${state.rows_written} of ${state.rows_expected} ${noun}.`
        : `${state.label}: ${state.rows_written.toLocaleString()} of about ${state.rows_expected.toLocaleString()} datasets written.`;
    }
    window.setTimeout(ask, 2000);
  };
  window.setTimeout(ask, 1000);
}
