// "Pakai angka ini": fill the monthly form's SKDN fields with the figures computed from the children's weighings.
// The person still reviews and saves the form.
const data = document.getElementById("skdn-data");
const button = document.getElementById("use-suggested");
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
  });
}
