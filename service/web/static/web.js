// The web page's only script: drag and drop onto the upload form, and progress of a batch or a
// job read from the JSON API. Everything works without it except the live updates.
"use strict";

function say(text) {
  const region = document.getElementById("status");
  if (region) region.textContent = text;
}

function setupDrop() {
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  if (!drop || !input) return;
  const show = () => {
    const names = Array.from(input.files || []).map((f) => f.name);
    chosen.textContent = names.length ? "Выбрано файлов: " + names.length + " (" + names.join(", ") + ")" : "";
    if (names.length) say("Выбрано файлов: " + names.length);
  };
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => drop.addEventListener(type, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  const form = document.getElementById("upload");
  form.addEventListener("submit", () => say("Файлы отправляются…"));
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function problem(error) {
  const box = el("div", "problem");
  box.append(el("p", "problem-detail", error.detail));
  const code = el("p", "problem-code", "Код ошибки: ");
  code.append(el("code", "", error.code));
  box.append(code);
  return box;
}

function updateRow(row, job, labels) {
  const name = job.member || job.filename;
  const file = row.querySelector(".file");
  if ((job.status === "done" || job.status === "failed") && !file.querySelector("a")) {
    file.textContent = "";
    const link = el("a", "", name);
    link.href = "/jobs/" + job.id;
    file.append(link);
  }
  let state = labels.status[job.status] || job.status;
  if (job.position !== null && job.position !== undefined) state += " (перед ним в очереди: " + job.position + ")";
  row.querySelector(".state").textContent = state;
  const bar = row.querySelector("progress");
  bar.value = job.progress;
  bar.textContent = Math.round(job.progress * 100) + " %";
  row.querySelector(".stage").textContent = labels.stage[job.stage] || job.stage;
  const outcome = row.querySelector(".outcome");
  outcome.textContent = "";
  if (job.error) outcome.append(problem(job.error));
  else if (job.plan) {
    let text = "мероприятий: " + job.plan.activities;
    if (job.plan.warnings) text += ", предупреждений: " + job.plan.warnings;
    outcome.textContent = text;
  }
}

function watchBatch() {
  const table = document.getElementById("jobs");
  if (!table || table.dataset.finished === "yes") return;
  const labels = JSON.parse(document.getElementById("labels").textContent);
  let last = "";
  const tick = async () => {
    let batch;
    try {
      const response = await fetch(table.dataset.api, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      batch = await response.json();
    } catch (error) {
      say("Не удалось узнать состояние пакета, повторим через несколько секунд");
      setTimeout(tick, 5000);
      return;
    }
    for (const job of batch.jobs) {
      let row = document.getElementById("job-" + job.id);
      if (!row) { location.reload(); return; }  // a re-run replaced a job: the server draws the rows
      updateRow(row, job, labels);
    }
    document.getElementById("batch-status").textContent = labels.batch[batch.status];
    document.getElementById("count-done").textContent = batch.counts.done;
    document.getElementById("count-total").textContent = batch.counts.total;
    document.getElementById("count-failed").textContent = batch.counts.failed;
    const summary = batch.status === "finished"
      ? "Пакет обработан: готово " + batch.counts.done + " из " + batch.counts.total + ", с ошибкой " + batch.counts.failed + "."
      : "Обработано " + (batch.counts.done + batch.counts.failed) + " из " + batch.counts.total + ".";
    if (summary !== last) { say(summary); last = summary; }  // the live region speaks only on a change
    if (batch.status === "finished") table.dataset.finished = "yes";
    else setTimeout(tick, 1000);
  };
  setTimeout(tick, 500);
}

function watchJob() {
  const state = document.getElementById("job-state");
  if (!state || state.dataset.finished === "yes") return;
  const tick = async () => {
    try {
      const response = await fetch(state.dataset.api, { headers: { Accept: "application/json" } });
      const job = await response.json();
      if (job.status === "done" || job.status === "failed") { location.reload(); return; }
      const bar = state.querySelector("progress");
      if (bar) bar.value = job.progress;
    } catch (error) {
      say("Не удалось узнать состояние файла, повторим через несколько секунд");
    }
    setTimeout(tick, 1000);
  };
  say("Файл обрабатывается, страница обновится сама");
  setTimeout(tick, 500);
}

document.addEventListener("DOMContentLoaded", () => {
  setupDrop();
  watchBatch();
  watchJob();
});
