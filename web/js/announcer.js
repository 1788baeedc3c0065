// A polite live region: news that is not where focus is (more orders shown, a form sending).
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick, so the same words said twice are read twice.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}
