// "Pakai angka ini": fill the monthly form's SKDN fields with the figures computed from the children's weighings.
// The person still reviews and saves the form. The table of computed figures follows what is typed: the entered
// figure and its difference from the computed one.
const data = document.getElementById("skdn-data");
const button = document.getElementById("use-suggested");

function compare() {
  for (const row of document.querySelectorAll("#computed-figures tr[data-field]")) {
    const input = document.getElementById(`id_${row.dataset.field}`);
    if (!input) continue;
    const text = input.value.trim();
    const entered = text === "" ? null : Number(text);
    const computed = Number(row.dataset.computed);
    const valid = entered === null || Number.isInteger(entered);
    row.querySelector(".entered").textContent = entered === null || !valid ? "—" : String(entered);
    const diff = entered === null || !valid ? null : entered - computed;
    row.querySelector(".difference").textContent = diff === null ? "—" : diff > 0 ? `+${diff}` : String(diff);
    row.classList.toggle("changed", entered !== computed);
  }
}

if (data && button) {
  const suggested = JSON.parse(data.textContent);
  button.hidden = false;
  button.addEventListener("click", () => {
    for (const [name, value] of Object.entries(suggested)) {
      const input = document.getElementById(`id_${name}`);
      if (input) {
        input.value = value;
        input.classList.add("filled-from-data");
      }
    }
    compare();
  });
}
for (const row of document.querySelectorAll("#computed-figures tr[data-field]")) {
  document.getElementById(`id_${row.dataset.field}`)?.addEventListener("input", compare);
}
