// Two accessibility repairs to what Redoc renders, where Redoc has no setting (its theme's are in docs/theme.css).

/**
 * Redoc's example picker is a button labelled "Example" (aria-label) whose text is the chosen example's title: its
 * accessible name does not contain what it shows, which axe-core reports (label-content-name-mismatch, serious) and
 * which breaks voice control ("click System disk image…"). The label is completed with the text, and again whenever
 * the text changes.
 */
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

/**
 * A Markdown table wider than its column scrolls sideways in its wrapper, which a keyboard can scroll only if the
 * wrapper takes the focus (scrollable-region-focusable, serious). The theme keeps the error code table inside the
 * column at the usual widths; on a narrower window, a wrapper that scrolls becomes focusable.
 */
export function focusableScrollingTables(root: ParentNode): void {
  for (const wrapper of root.querySelectorAll<HTMLElement>(".md-table-wrapper")) {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
    if (scrolls && wrapper.tabIndex !== 0) wrapper.tabIndex = 0;
    else if (!scrolls && wrapper.hasAttribute("tabindex")) wrapper.removeAttribute("tabindex");
  }
}
