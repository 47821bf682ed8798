// Redoc's example picker is a button labelled "Example" (aria-label) whose text is the chosen example's title: its
// accessible name does not contain what it shows, which axe-core reports (label-content-name-mismatch, serious) and
// which breaks voice control ("click System disk image…"). Redoc has no setting for it, so the label is completed
// with the text, and again whenever the text changes.
export function completeButtonLabels(root: ParentNode): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>("button[aria-label]")) {
    const label = button.getAttribute("aria-label") ?? "";
    const text = button.textContent?.trim() ?? "";
    if (!text || label.toLowerCase().includes(text.toLowerCase())) continue;
    const original = button.dataset.imsLabel ?? label;
    button.dataset.imsLabel = original;
    button.setAttribute("aria-label", `${original}: ${text}`);
  }
}
